package gateway

import "testing"

func TestParseAWSURI(t *testing.T) {
	eps := map[string]string{"sqs": "http://127.0.0.1:9324", "photos.s3": "http://127.0.0.1:9000", "dynamodb": "http://127.0.0.1:8000"}
	cases := []struct {
		uri, service, region, url string
		noEndpoint, bad           bool
	}{
		{uri: "arn:aws:apigateway:us-east-1:sqs:action/SendMessage", service: "sqs", region: "us-east-1", url: "http://127.0.0.1:9324/?Action=SendMessage"},
		{uri: "arn:aws:apigateway:eu-west-1:sqs:action/SendMessage?Version=2012-11-05", service: "sqs", region: "eu-west-1",
			url: "http://127.0.0.1:9324/?Action=SendMessage&Version=2012-11-05"},
		{uri: "arn:aws:apigateway:us-east-1:sqs:path/000000000000/pets", service: "sqs", region: "us-east-1", url: "http://127.0.0.1:9324/000000000000/pets"},
		{uri: "arn:aws:apigateway:us-east-1:photos.s3:path/{key}", service: "s3", region: "us-east-1", url: "http://127.0.0.1:9000/{key}"},
		{uri: "arn:aws:apigateway:us-east-1:dynamodb:action/PutItem", service: "dynamodb", region: "us-east-1", url: "http://127.0.0.1:8000/?Action=PutItem"},
		{uri: "arn:aws:apigateway:us-east-1:kinesis:action/PutRecord", service: "kinesis", region: "us-east-1", noEndpoint: true},
		{uri: "arn:aws:apigateway:us-east-1:sqs:queue/x", bad: true},
		{uri: "arn:aws:apigateway:us-east-1:sqs:action/", bad: true},
		{uri: "https://sqs.amazonaws.com/", bad: true},
	}
	for _, tc := range cases {
		tg, err := parseAWSURI(tc.uri)
		if (err != nil) != tc.bad {
			t.Errorf("%s: err %v", tc.uri, err)
			continue
		}
		if tc.bad {
			continue
		}
		ep, ok := tg.endpoint(eps)
		if ok == tc.noEndpoint || tg.service != tc.service || tg.region != tc.region {
			t.Errorf("%s: %+v endpoint %v", tc.uri, tg, ok)
			continue
		}
		if ok && tg.url(ep) != tc.url {
			t.Errorf("%s: url %s, want %s", tc.uri, tg.url(ep), tc.url)
		}
	}
}
