package cloudcontrol

import (
	"context"

	"github.com/stagecoach/stagecoach/internal/apigw"
	"github.com/stagecoach/stagecoach/internal/backplane"
)

// accountModel is AWS::ApiGateway::Account's property document: the
// region's account settings, of which CloudFormation manages the
// CloudWatch role.
type accountModel struct {
	Id                string `json:"Id,omitempty"`
	CloudWatchRoleArn string `json:"CloudWatchRoleArn,omitempty"`
}

var accountMeta = &typeMeta{
	TypeName: "AWS::ApiGateway::Account",
	Primary:  []string{"Id"},
	ReadOnly: []string{"Id"},
	NoList:   true,
}

// accountID is the Account resource's identifier. There is one account
// per region; AWS's handler names it after the account (U: exact form),
// so Stagecoach uses its fixed account id.
const accountID = apigw.AccountID

type accountType struct{ svc *backplane.Service }

func (t *accountType) meta() *typeMeta           { return accountMeta }
func (t *accountType) newModel() any             { return &accountModel{} }
func (t *accountType) identifierOf(any) []string { return []string{accountID} }

func (t *accountType) setRole(ctx context.Context, arn string) error {
	_, err := t.svc.UpdateAccount(ctx, []apigw.PatchOperation{{Op: apigw.OpReplace, Path: "/cloudwatchRoleArn", Value: arn}})
	return err
}

// create sets the role: the account always exists, so "creating" it is
// PATCH /account, as AWS's handler does.
func (t *accountType) create(ctx context.Context, model any) ([]string, error) {
	m := model.(*accountModel)
	return []string{accountID}, t.setRole(ctx, m.CloudWatchRoleArn)
}

func (t *accountType) read(ctx context.Context, ids []string) (any, error) {
	if ids[0] != accountID {
		return nil, apigw.NotFound("Account %s does not exist", ids[0])
	}
	a, err := t.svc.GetAccount(ctx)
	if err != nil {
		return nil, err
	}
	return &accountModel{Id: accountID, CloudWatchRoleArn: a.CloudwatchRoleArn}, nil
}

func (t *accountType) update(ctx context.Context, ids []string, prev, next any) error {
	p, n := prev.(*accountModel), next.(*accountModel)
	if p.CloudWatchRoleArn == n.CloudWatchRoleArn {
		return nil
	}
	return t.setRole(ctx, n.CloudWatchRoleArn)
}

// delete clears the role (the account itself cannot go away).
func (t *accountType) delete(ctx context.Context, ids []string) error {
	if ids[0] != accountID {
		return apigw.NotFound("Account %s does not exist", ids[0])
	}
	return t.setRole(ctx, "")
}

func (t *accountType) list(context.Context, map[string]any) ([]listed, error) { return nil, nil }
