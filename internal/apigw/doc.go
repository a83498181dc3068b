// Package apigw is Stagecoach's domain model of an AWS API Gateway REST API
// (v1): REST APIs and their resource trees, methods and integrations,
// deployments (immutable snapshots of that tree) and stages.
//
// The types carry the JSON member names of the API Gateway wire format so
// that the control plane can encode them directly, but the package knows
// nothing about HTTP or SQL: validation and the UpdateStage patch semantics
// are pure functions over these values.
package apigw
