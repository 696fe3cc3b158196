package secretsmanager

import (
	"context"
	"errors"
	"sort"

	"github.com/virga/virga/internal/awsproto/apierr"
)

// maxBatchResults is BatchGetSecretValue's page size when Filters choose
// the secrets and MaxResults is absent: the operation "retrieves the
// contents ... for up to 20 secrets".
const maxBatchResults = 20

// batchGetSecretValue reads the current value of up to 20 secrets,
// named by SecretIdList or chosen by Filters (with MaxResults and
// NextToken paging through them). A secret that cannot be read is
// reported in Errors, with GetSecretValue's code and message, and does
// not fail the call.
func (s *Service) batchGetSecretValue(ctx context.Context, in *BatchGetSecretValueRequest) (*BatchGetSecretValueResponse, error) {
	byList, byFilter := len(in.SecretIdList) > 0, len(in.Filters) > 0
	switch {
	case byList && byFilter:
		return nil, ErrInvalidParameter.WithMessage("You can't specify both SecretIdList and Filters. Specify one or the other.")
	case !byList && !byFilter:
		return nil, ErrInvalidParameter.WithMessage("You must specify either SecretIdList or Filters.")
	case byList && in.MaxResults != nil:
		return nil, ErrInvalidParameter.WithMessage("You can use MaxResults only with Filters.")
	case byList && in.NextToken != nil:
		return nil, ErrInvalidParameter.WithMessage("You can use NextToken only with Filters.")
	}
	ids := in.SecretIdList
	var next *string
	if byFilter {
		all, err := s.all()
		if err != nil {
			return nil, err
		}
		var chosen []*secret
		for _, sec := range all {
			if sec.Deleted == 0 && matchFilters(sec, in.Filters) {
				chosen = append(chosen, sec)
			}
		}
		sort.SliceStable(chosen, func(a, b int) bool { return chosen[a].Created < chosen[b].Created })
		limit := in.MaxResults
		if limit == nil {
			limit = ptr(int32(maxBatchResults))
		}
		page, token, err := paginate(chosen, limit, in.NextToken)
		if err != nil {
			return nil, err
		}
		ids, next = make([]string, len(page)), token
		for i, sec := range page {
			ids[i] = sec.ARN
		}
	}
	out := &BatchGetSecretValueResponse{SecretValues: []SecretValueEntry{}, Errors: []APIErrorType{}, NextToken: next}
	for _, id := range ids {
		v, err := s.getSecretValue(ctx, &GetSecretValueRequest{SecretId: ptr(id)})
		if err != nil {
			var ae *apierr.Error
			if !errors.As(err, &ae) {
				return nil, err
			}
			out.Errors = append(out.Errors, APIErrorType{SecretId: ptr(id), ErrorCode: ptr(ae.Code), Message: ptr(ae.Message)})
			continue
		}
		out.SecretValues = append(out.SecretValues, SecretValueEntry{ARN: v.ARN, Name: v.Name, VersionId: v.VersionId,
			SecretString: v.SecretString, SecretBinary: v.SecretBinary, VersionStages: v.VersionStages, CreatedDate: v.CreatedDate})
	}
	return out, nil
}
