// Package modelschema compiles a REST API's models — JSON Schema draft 4
// documents that reference each other with canonical model URLs
// (https://apigateway.amazonaws.com/restapis/{id}/models/{name}) — with
// github.com/santhosh-tekuri/jsonschema/v6, a maintained implementation
// that supports draft 4. The control plane uses it to refuse a schema AWS
// would refuse, the data plane to validate request bodies (compiled once
// per deployment snapshot), and GetModelTemplate to generate a mapping
// template skeleton from a model.
package modelschema
