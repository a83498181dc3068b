package apigw

// Account is the per-region account settings resource (GET /account).
type Account struct {
	CloudwatchRoleArn string           `json:"cloudwatchRoleArn,omitempty"`
	ThrottleSettings  ThrottleSettings `json:"throttleSettings"`
	Features          []string         `json:"features"`
	APIKeyVersion     string           `json:"apiKeyVersion"`
}

// ThrottleSettings is a rate (requests per second) and burst (bucket size).
type ThrottleSettings struct {
	BurstLimit int     `json:"burstLimit"`
	RateLimit  float64 `json:"rateLimit"`
}

// Account-level throttling defaults, AWS's per-region quotas.
const (
	DefaultAccountRateLimit  = 10000.0
	DefaultAccountBurstLimit = 5000
)

// DefaultAccount returns the account as AWS reports it before any update.
func DefaultAccount() *Account {
	return &Account{
		ThrottleSettings: ThrottleSettings{BurstLimit: DefaultAccountBurstLimit, RateLimit: DefaultAccountRateLimit},
		Features:         []string{"UsagePlans"},
		APIKeyVersion:    "4",
	}
}

// AccountID is the account id Stagecoach reports in ARNs and messages. A
// self-hosted gateway has one tenant, so it is a fixed, AWS-shaped value.
const AccountID = "000000000000"
