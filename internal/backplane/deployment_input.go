package backplane

import "encoding/json"

// UnmarshalJSON decodes the body and records whether stageName was sent at
// all: AWS's canary message prints the value given, "null" when there was
// none (see msgCanaryNoStageName).
func (in *CreateDeploymentInput) UnmarshalJSON(b []byte) error {
	type plain CreateDeploymentInput // no methods: no recursion
	var probe struct {
		StageName *string `json:"stageName"`
	}
	if err := json.Unmarshal(b, (*plain)(in)); err != nil {
		return err
	}
	if err := json.Unmarshal(b, &probe); err != nil {
		return err
	}
	in.StageNameGiven = probe.StageName != nil
	return nil
}
