package asl

import (
	"bufio"
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"strings"
)

// ItemReader is a Distributed Map state's ItemReader: the file in S3
// whose items the state iterates over.
type ItemReader struct {
	// Params give Bucket, Key and VersionId (Parameters, or Arguments
	// in a JSONata state, whose expressions are not supported).
	Params *template
	// InputType is JSON (a JSON array), JSONL (a JSON value a line) or
	// CSV (a row an item).
	InputType string
	// Headers are a CSV file's column names (CSVHeaderLocation GIVEN);
	// nil takes them from the first row (FIRST_ROW).
	Headers   []string
	Delimiter rune
	// MaxItems, when not zero, is how many items are read at most.
	MaxItems int64
}

// ErrItemReaderFailed fails a Distributed Map state whose ItemReader
// cannot read its items.
const ErrItemReaderFailed = "States.ItemReaderFailed"

// csvDelimiters are ReaderConfig's CSVDelimiter values.
var csvDelimiters = map[string]rune{"COMMA": ',', "PIPE": '|', "SEMICOLON": ';', "SPACE": ' ', "TAB": '\t'}

// itemReader parses a Map state's ItemReader: only a file in S3
// (arn:aws:states:::s3:getObject) of InputType JSON, JSONL or CSV.
func (p *parser) itemReader(s *State, d map[string]any, loc string) {
	v, ok := d["ItemReader"]
	if !ok {
		return
	}
	loc += "/ItemReader"
	r, ok := v.(map[string]any)
	if !ok {
		p.schema(loc, "The value for the field 'ItemReader' must be an object")
		return
	}
	if res, _ := r["Resource"].(string); res != "arn:aws:states:::s3:getObject" {
		p.schema(loc+"/Resource", "An ItemReader resource other than arn:aws:states:::s3:getObject is not supported by virga")
	}
	ir := &ItemReader{Delimiter: ','}
	if s.JSONata {
		if _, ok := r["Arguments"]; ok {
			p.schema(loc+"/Arguments", "The field \"Arguments\" of an ItemReader is not supported by virga")
		}
	} else {
		ir.Params = p.template(r, "Parameters", loc)
	}
	cfg, _ := r["ReaderConfig"].(map[string]any)
	ir.InputType, _ = cfg["InputType"].(string)
	switch ir.InputType {
	case "JSON", "JSONL":
	case "CSV":
		switch cfg["CSVHeaderLocation"] {
		case "FIRST_ROW":
		case "GIVEN":
			hs, _ := cfg["CSVHeaders"].([]any)
			for _, h := range hs {
				name, _ := h.(string)
				ir.Headers = append(ir.Headers, name)
			}
			if len(ir.Headers) == 0 {
				p.schema(loc+"/ReaderConfig/CSVHeaders", "CSVHeaders are required when CSVHeaderLocation is GIVEN")
			}
		default:
			p.schema(loc+"/ReaderConfig/CSVHeaderLocation", "The value for the field 'CSVHeaderLocation' must be FIRST_ROW or GIVEN")
		}
		if dl, ok := cfg["CSVDelimiter"].(string); ok {
			r, ok := csvDelimiters[dl]
			if !ok {
				p.schema(loc+"/ReaderConfig/CSVDelimiter", "The value for the field 'CSVDelimiter' must be one of COMMA, PIPE, SEMICOLON, SPACE, TAB")
			}
			ir.Delimiter = r
		}
	default:
		p.schema(loc+"/ReaderConfig/InputType", "An ItemReader InputType other than JSON, JSONL or CSV is not supported by virga")
	}
	if _, ok := cfg["MaxItems"]; ok {
		ir.MaxItems = p.positive(cfg, "MaxItems", loc+"/ReaderConfig")
	}
	if _, ok := cfg["MaxItemsPath"]; ok {
		p.schema(loc+"/ReaderConfig/MaxItemsPath", "The field \"MaxItemsPath\" is not supported by virga")
	}
	s.ItemReader = ir
}

// readItems reads the items of a Distributed Map state's ItemReader.
func (t *thread) readItems(ctx context.Context, ir *ItemReader, x *evalContext, in any) ([]any, error) {
	var params map[string]any
	if ir.Params != nil {
		v, err := ir.Params.apply(x, in)
		if err != nil {
			return nil, err
		}
		params, _ = v.(map[string]any)
	}
	bucket, _ := params["Bucket"].(string)
	key, _ := params["Key"].(string)
	version, _ := params["VersionId"].(string)
	if bucket == "" || key == "" {
		return nil, &Failure{Name: ErrItemReaderFailed, Cause: "The ItemReader's Parameters must give Bucket and Key"}
	}
	data, err := t.r.env.ReadObject(ctx, bucket, key, version)
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, &Failure{Name: ErrItemReaderFailed, Cause: fmt.Sprintf("Could not read s3://%s/%s: %v", bucket, key, err)}
	}
	items, err := parseItems(ir, data)
	if err != nil {
		return nil, &Failure{Name: ErrItemReaderFailed, Cause: fmt.Sprintf("s3://%s/%s: %v", bucket, key, err)}
	}
	if ir.MaxItems > 0 && int64(len(items)) > ir.MaxItems {
		items = items[:ir.MaxItems]
	}
	return items, nil
}

// parseItems reads the items of a file: the elements of a JSON array,
// the JSON values of a JSONL file's lines, or a CSV file's rows as
// objects from column name to text.
func parseItems(ir *ItemReader, data []byte) ([]any, error) {
	switch ir.InputType {
	case "JSON":
		v, err := Decode(data)
		if err != nil {
			return nil, fmt.Errorf("not JSON: %v", err)
		}
		list, ok := v.([]any)
		if !ok {
			return nil, fmt.Errorf("the JSON file must hold an array")
		}
		return list, nil
	case "JSONL":
		var items []any
		sc := bufio.NewScanner(bytes.NewReader(data))
		sc.Buffer(make([]byte, 64*1024), len(data)+1)
		for sc.Scan() {
			line := strings.TrimSpace(sc.Text())
			if line == "" {
				continue
			}
			v, err := Decode([]byte(line))
			if err != nil {
				return nil, fmt.Errorf("line %d is not JSON: %v", len(items)+1, err)
			}
			items = append(items, v)
		}
		return items, sc.Err()
	}
	r := csv.NewReader(bytes.NewReader(data))
	r.Comma = ir.Delimiter
	r.FieldsPerRecord = -1
	rows, err := r.ReadAll()
	if err != nil {
		return nil, fmt.Errorf("not CSV: %v", err)
	}
	headers := ir.Headers
	if headers == nil {
		if len(rows) == 0 {
			return []any{}, nil
		}
		headers, rows = rows[0], rows[1:]
	}
	items := make([]any, 0, len(rows))
	for _, row := range rows {
		item := make(map[string]any, len(headers))
		for i, h := range headers {
			if i < len(row) {
				item[h] = row[i]
			} else {
				item[h] = ""
			}
		}
		items = append(items, item)
	}
	return items, nil
}
