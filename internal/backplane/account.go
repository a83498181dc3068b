package backplane

import (
	"context"
	"regexp"

	"github.com/stagecoach/stagecoach/internal/apigw"
	"github.com/stagecoach/stagecoach/internal/store"
)

// roleARN matches an IAM role ARN, with an optional role path:
// arn:aws:iam::123456789012:role/name or .../role/service-role/name.
var roleARN = regexp.MustCompile(`^arn:aws(-[a-z]+)*:iam::\d{12}:role/([\x21-\x7e]+/)*[\w+=,.@-]{1,64}$`)

// msgRoleARN is what UpdateAccount answers for a value that is not a role
// ARN. AWS's recorded texts cover only roles it cannot assume ("The role
// ARN does not have required permissions configured. ..."); a malformed
// ARN's text is not recorded (U).
const msgRoleARN = "The role ARN is not well formed: %s"

// GetAccount returns the account settings, AWS's defaults until updated.
func (s *Service) GetAccount(ctx context.Context) (*apigw.Account, error) {
	var out *apigw.Account
	err := s.view(ctx, func(tx store.Tx) error {
		a, err := tx.Account()
		out = a
		return err
	})
	return out, err
}

// UpdateAccount applies patch operations to the account. Only
// /cloudwatchRoleArn is writable; throttle settings are the gateway's
// configuration and read-only here. An empty value clears the role (U),
// which again forbids enabling execution and access logging.
func (s *Service) UpdateAccount(ctx context.Context, ops []apigw.PatchOperation) (*apigw.Account, error) {
	var out *apigw.Account
	err := s.update(ctx, func(tx store.Tx) error {
		a, err := tx.Account()
		if err != nil {
			return err
		}
		if len(ops) == 0 {
			out = a
			return nil
		}
		for _, op := range ops {
			if op.Path != "/cloudwatchRoleArn" {
				return defInvalidPath(op.Path)
			}
			if err := defCheckOp(op, apigw.OpAdd, apigw.OpRemove, apigw.OpReplace); err != nil {
				return err
			}
			if op.Op == apigw.OpRemove {
				op.Value = ""
			}
			if op.Value != "" && !roleARN.MatchString(op.Value) {
				return apigw.BadRequest(msgRoleARN, op.Value)
			}
			a.CloudwatchRoleArn = op.Value
		}
		if err := tx.PutAccount(a); err != nil {
			return err
		}
		out = a
		return nil
	})
	return out, err
}
