package controlapi

// Route registration, one function per file: restapis.go, resources.go,
// methods.go, integrations.go, deployments.go (helper A); stages.go,
// tags.go, account.go (helper B). Each replaces its stub below.

func (s *Server) restAPIRoutes()     {}
func (s *Server) resourceRoutes()    {}
func (s *Server) methodRoutes()      {}
func (s *Server) integrationRoutes() {}
