package controlapi

// Route registration, one function per file: restapis.go, resources.go,
// methods.go, integrations.go, deployments.go (helper A); stages.go,
// tags.go, account.go (helper B). Each replaces its stub below.
