package server

import (
	"github.com/stagecoach/stagecoach/internal/gateway"
	"github.com/stagecoach/stagecoach/internal/sigv4"
)

// authzOptions fills the data plane's authorization settings: the user
// pools' JWKS (serve --cognito-jwks) and the credentials AWS_IAM methods
// accept (serve --credentials, the management plane's file).
func authzOptions(cfg Config, o *gateway.Options) error {
	if cfg.CognitoJWKS != "" {
		jwks, err := gateway.LoadCognitoJWKS(cfg.CognitoJWKS)
		if err != nil {
			return err
		}
		o.CognitoJWKS = jwks
	}
	if cfg.Credentials != "" {
		creds, err := sigv4.LoadCredentialsFile(cfg.Credentials)
		if err != nil {
			return err
		}
		o.IAMCredentials = creds
	}
	return nil
}
