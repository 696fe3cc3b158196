package sam

// layer transforms an AWS::Serverless::LayerVersion into an
// AWS::Lambda::LayerVersion whose logical ID is the layer's followed by a
// hash of its content and properties (MyLayer3c5d0e1f2a). A change of
// content is then a new resource, and CloudFormation publishes a new
// version instead of replacing the old one in place; with
// RetentionPolicy Retain (the default) the old version is kept.
// References to the layer follow the new ID.
func (t *transformer) layer(id string, raw map[string]any) error {
	props, err := properties(id, typeLayer, raw)
	if err != nil {
		return err
	}
	props = t.globals.apply("LayerVersion", props)
	uri, ok := props["ContentUri"]
	if !ok {
		return missingProperty(id, "ContentUri")
	}
	content, err := t.location(id, "ContentUri", uri, t.opts.LayerContent, "S3Bucket", "S3Key", "S3ObjectVersion")
	if err != nil {
		return err
	}
	out := map[string]any{"Content": content, "LayerName": id}
	copyKeys(out, props, "CompatibleArchitectures", "CompatibleRuntimes", "Description", "LayerName", "LicenseInfo")
	retention := any("Retain")
	if d, ok := raw["DeletionPolicy"]; ok {
		retention = clone(d)
	}
	if v, ok := props["RetentionPolicy"]; ok {
		s, ok := t.resolve(v)
		if !ok || (s != "Retain" && s != "Delete") {
			// Wording unconfirmed.
			return resourceError(id, "'RetentionPolicy' must be one of the following options: ['Retain', 'Delete'].")
		}
		retention = s
	}
	newID := id + hashOf(out)[:logicalIDHashLength]
	r := attributesOf(raw).mainResource(raw, "AWS::Lambda::LayerVersion", out)
	r["DeletionPolicy"] = retention
	if err := t.add(id, newID, r); err != nil {
		return err
	}
	t.renames[id] = newID
	return nil
}

// publishedLayers are what a function's version digest takes of its
// layers that have PublishLambdaVersion (on the layer or in
// Globals.LayerVersion): each one's properties and hashed logical ID, so
// that a new layer version publishes a new function version.
func (t *transformer) publishedLayers(layers any) []any {
	resources, _ := t.tree["Resources"].(map[string]any)
	var out []any
	for _, l := range asList(layers) {
		id, ok := refTarget(l)
		if !ok || t.samTypes[id] != typeLayer {
			continue
		}
		props := t.globals.apply("LayerVersion", asMap(asMap(resources[id])["Properties"]))
		if truthy(props["PublishLambdaVersion"]) {
			out = append(out, map[string]any{id: props, "LogicalId": t.renames[id]})
		}
	}
	return out
}
