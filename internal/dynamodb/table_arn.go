package dynamodb

import "strings"

// The control-plane operations take a table's ARN wherever they take its
// name ("You can also provide the Amazon Resource Name (ARN) of the table
// in this parameter", DynamoDB API reference). Their inputs turn an ARN
// into the name before the model's name rules are checked, so an ARN
// passes them and every lookup after is by name.

// tableNameOf is the table name an ARN names; anything else is returned
// as it is.
func tableNameOf(p *string) *string {
	if p == nil || !isTableARN(*p) {
		return p
	}
	_, name, _ := strings.Cut(*p, ":table/")
	return &name
}

// Prevalidate takes a table ARN as TableName.
func (in *DescribeTableInput) Prevalidate() error {
	in.TableName = tableNameOf(in.TableName)
	return nil
}

// Prevalidate takes a table ARN as TableName.
func (in *DeleteTableInput) Prevalidate() error { in.TableName = tableNameOf(in.TableName); return nil }

// Prevalidate takes a table ARN as TableName, and checks the table class
// as CreateTable does.
func (in *UpdateTableInput) Prevalidate() error {
	in.TableName = tableNameOf(in.TableName)
	return checkTableClass(in.TableClass)
}

// Prevalidate checks CreateTable's table class, which DynamoDB words its
// own way.
func (in *CreateTableInput) Prevalidate() error { return checkTableClass(in.TableClass) }

// Prevalidate takes a table ARN as TableName.
func (in *DescribeTimeToLiveInput) Prevalidate() error {
	in.TableName = tableNameOf(in.TableName)
	return nil
}

// Prevalidate takes a table ARN as TableName.
func (in *UpdateTimeToLiveInput) Prevalidate() error {
	in.TableName = tableNameOf(in.TableName)
	return nil
}

// Prevalidate takes a table ARN as TableName.
func (in *DescribeContinuousBackupsInput) Prevalidate() error {
	in.TableName = tableNameOf(in.TableName)
	return nil
}

// Prevalidate takes a table ARN as TableName.
func (in *UpdateContinuousBackupsInput) Prevalidate() error {
	in.TableName = tableNameOf(in.TableName)
	return nil
}

// Prevalidate takes a table ARN as TableName.
func (in *DescribeContributorInsightsInput) Prevalidate() error {
	in.TableName = tableNameOf(in.TableName)
	return nil
}

// Prevalidate takes a table ARN as TableName.
func (in *UpdateContributorInsightsInput) Prevalidate() error {
	in.TableName = tableNameOf(in.TableName)
	return nil
}

// Prevalidate takes a table ARN as TableName.
func (in *ListContributorInsightsInput) Prevalidate() error {
	in.TableName = tableNameOf(in.TableName)
	return nil
}

// Prevalidate takes a table ARN as TableName.
func (in *DescribeTableReplicaAutoScalingInput) Prevalidate() error {
	in.TableName = tableNameOf(in.TableName)
	return nil
}
