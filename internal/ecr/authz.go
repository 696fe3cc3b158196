package ecr

import (
	"context"
	"encoding/json"
	"errors"
	"reflect"
	"strconv"
	"strings"

	"github.com/virga/virga/internal/awsproto"
)

// resources names the repository a call acts on
// (arn:aws:ecr:REGION:ACCOUNT:repository/NAME), for IAM authorization.
// Calls that name none (GetAuthorizationToken, DescribeRepositories of
// all of them) are authorized on "*".
func (s *Service) resources(c *awsproto.Call, in any) []string {
	if name := awsproto.InputString(in, "RepositoryName"); name != "" {
		return []string{s.repoARN(name)}
	}
	if arn := awsproto.InputString(in, "ResourceArn"); arn != "" {
		return []string{arn}
	}
	return nil
}

// resourcePolicy returns the repository policy (SetRepositoryPolicy's)
// of the repository an ARN names, for IAM authorization; "" when it has
// none or does not exist.
func (s *Service) resourcePolicy(_ context.Context, arn string) (string, error) {
	name, ok := strings.CutPrefix(arn, "arn:aws:ecr:"+s.region+":"+s.account+":repository/")
	if !ok {
		return "", nil
	}
	r, err := s.loadRepo(name)
	if err != nil || r == nil {
		return "", err
	}
	return r.Policy, nil
}

// lambdaPullActions are what Lambda needs of a repository holding a
// function's image, as its developer guide lists them.
var lambdaPullActions = []any{"ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"}

// lambdaPullSid is the Sid of the statement Lambda adds.
const lambdaPullSid = "LambdaECRImageRetrievalPolicy"

// AllowLambdaPull adds to the repository policy of repo a statement
// letting Lambda's service principal (lambda.amazonaws.com) read its
// images, creating the policy if there is none: what Lambda does at
// CreateFunction when the repository does not allow it yet and the
// caller may get and set the repository policy. The policy is changed
// only when allows, asked of the policy with the statement, says Lambda
// may then read the repository (an explicit Deny outweighs the added
// Allow); ok reports whether it was. A policy that already holds the
// statement is not given a second copy, and the statement takes a Sid
// no other statement of the policy has (LambdaECRImageRetrievalPolicy,
// else with a number appended).
func (s *Service) AllowLambdaPull(repo string, allows func(policy string) bool) (ok bool, err error) {
	_, err = s.updateRepo(repo, func(r *repository) error {
		doc := map[string]any{"Version": "2012-10-17"}
		var stmts []any
		if r.Policy != "" {
			if err := json.Unmarshal([]byte(r.Policy), &doc); err != nil {
				return err
			}
			switch v := doc["Statement"].(type) {
			case []any:
				stmts = v
			case map[string]any:
				stmts = []any{v}
			}
		}
		stmt := map[string]any{"Sid": lambdaPullSid, "Effect": "Allow",
			"Principal": map[string]any{"Service": "lambda.amazonaws.com"}, "Action": lambdaPullActions}
		sids := map[any]bool{}
		present := false
		for _, st := range stmts {
			m, _ := st.(map[string]any)
			sids[m["Sid"]] = true
			present = present || reflect.DeepEqual(m, stmt)
		}
		for n := 2; sids[stmt["Sid"]]; n++ {
			stmt["Sid"] = lambdaPullSid + strconv.Itoa(n)
		}
		if !present {
			stmts = append(stmts, stmt)
		}
		doc["Statement"] = stmts
		b, err := json.Marshal(doc)
		if err != nil {
			return err
		}
		if ok = allows(string(b)); !ok || present {
			return errUnchanged
		}
		r.Policy = string(b)
		return nil
	})
	if err == errUnchanged {
		err = nil
	}
	return ok, err
}

// errUnchanged ends an update that leaves the repository as it was.
var errUnchanged = errors.New("unchanged")
