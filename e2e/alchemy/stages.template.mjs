// The three examples of the Alchemy Stage guide (shared/seeds/001), each
// copied verbatim into its own Alchemy app. run.sh renders this template
// with sed: "abc1234" and "xyz5678" become the ids of a real API and
// deployment, and the update step changes one property. Run as
//   EXAMPLE=minimal|advanced|cached node <rendered>.mjs [--destroy]
import alchemy from "alchemy";
import AWS from "alchemy/aws/control";

const example = process.env.EXAMPLE;
const app = await alchemy(`stagecoach-e2e-${example}`);

if (example === "minimal") {
const basicStage = await AWS.ApiGateway.Stage("BasicStage", {
  RestApiId: "abc1234",
  StageName: "production",
  Description: "Production stage for the API",
  MethodSettings: [{
    HttpMethod: "*",
    ResourcePath: "/*",
    ThrottlingBurstLimit: 100,
    ThrottlingRateLimit: 50
  }],
  Tags: [
    { Key: "Environment", Value: "production" },
    { Key: "Project", Value: "API Project" }
  ]
});
}

if (example === "advanced") {
const advancedStage = await AWS.ApiGateway.Stage("AdvancedStage", {
  RestApiId: "abc1234",
  StageName: "staging",
  Description: "Staging stage for the API",
  CanarySetting: {
    PercentTraffic: 10,
    DeploymentId: "xyz5678"
  },
  AccessLogSetting: {
    DestinationArn: "arn:aws:logs:us-east-1:123456789012:log-group:ApiAccessLogs",
    Format: "$context.identity.sourceIp - $context.identity.caller"
  },
  MethodSettings: [{
    HttpMethod: "*",
    ResourcePath: "/*",
    ThrottlingBurstLimit: 200,
    ThrottlingRateLimit: 100
  }]
});
}

if (example === "cached") {
const cacheEnabledStage = await AWS.ApiGateway.Stage("CacheEnabledStage", {
  RestApiId: "abc1234",
  StageName: "cached",
  CacheClusterEnabled: true,
  CacheClusterSize: "0.5",
  MethodSettings: [{
    HttpMethod: "*",
    ResourcePath: "/*",
    CachingEnabled: true,
    CacheTtlInSeconds: 300
  }]
});
}

await app.finalize();
