package dynamodb

import "context"

// Global tables of version 2017.11.29 (the legacy API) can no longer be
// created on DynamoDB, so none exist: CreateGlobalTable is refused, the
// operations on one name a global table that does not exist, and
// ListGlobalTables lists none. Version 2019.11.21 global tables (replicas
// added by UpdateTable's ReplicaUpdates) are not supported yet: a table
// has no replicas, so DescribeTableReplicaAutoScaling lists none, as
// DynamoDB does for a table without replicas, and
// UpdateTableReplicaAutoScaling is not supported.

// errLegacyGlobalTables is CreateGlobalTable's refusal.
var errLegacyGlobalTables = ErrValidation.WithMessage("DynamoDB global tables version 2017.11.29 is not supported. " +
	"We recommend using DynamoDB global tables version 2019.11.21, instead of version 2017.11.29 (Legacy).")

// globalTableNotFound is the error for any legacy global table.
func globalTableNotFound(name *string) error {
	return ErrGlobalTableNotFound.Withf("Global table with name '%s' does not exist.", deref(name))
}

func (s *Service) createGlobalTable(ctx context.Context, in *CreateGlobalTableInput) (*CreateGlobalTableOutput, error) {
	return nil, errLegacyGlobalTables
}

func (s *Service) describeGlobalTable(ctx context.Context, in *DescribeGlobalTableInput) (*DescribeGlobalTableOutput, error) {
	return nil, globalTableNotFound(in.GlobalTableName)
}

func (s *Service) describeGlobalTableSettings(ctx context.Context, in *DescribeGlobalTableSettingsInput) (*DescribeGlobalTableSettingsOutput, error) {
	return nil, globalTableNotFound(in.GlobalTableName)
}

func (s *Service) updateGlobalTable(ctx context.Context, in *UpdateGlobalTableInput) (*UpdateGlobalTableOutput, error) {
	return nil, globalTableNotFound(in.GlobalTableName)
}

func (s *Service) updateGlobalTableSettings(ctx context.Context, in *UpdateGlobalTableSettingsInput) (*UpdateGlobalTableSettingsOutput, error) {
	return nil, globalTableNotFound(in.GlobalTableName)
}

func (s *Service) listGlobalTables(ctx context.Context, in *ListGlobalTablesInput) (*ListGlobalTablesOutput, error) {
	return &ListGlobalTablesOutput{GlobalTables: []GlobalTable{}}, nil
}

func (s *Service) describeTableReplicaAutoScaling(ctx context.Context, in *DescribeTableReplicaAutoScalingInput) (*DescribeTableReplicaAutoScalingOutput, error) {
	t, err := s.table(*in.TableName)
	if err != nil {
		return nil, err
	}
	return &DescribeTableReplicaAutoScalingOutput{TableAutoScalingDescription: &TableAutoScalingDescription{
		TableName: ptr(t.Name), TableStatus: ptr(TableStatus(t.Status)), Replicas: []ReplicaAutoScalingDescription{}}}, nil
}
