// Reads prod's Count and 4XXError with GetMetricData and counts
// ListMetrics, through the JS SDK v3 client; prints "count 4xx metrics".
import { CloudWatchClient, GetMetricDataCommand, ListMetricsCommand } from "@aws-sdk/client-cloudwatch";

const cw = new CloudWatchClient({
  endpoint: process.env.STAGECOACH_URL,
  region: "us-east-1",
  credentials: { accessKeyId: process.env.AWS_ACCESS_KEY_ID, secretAccessKey: process.env.AWS_SECRET_ACCESS_KEY },
});
const dims = [{ Name: "ApiName", Value: "pets" }, { Name: "Stage", Value: "prod" }];
const stat = (Id, MetricName) => ({
  Id,
  MetricStat: { Metric: { Namespace: "AWS/ApiGateway", MetricName, Dimensions: dims }, Period: 1200, Stat: "Sum" },
});
const data = await cw.send(new GetMetricDataCommand({
  StartTime: new Date(process.env.START),
  EndTime: new Date(process.env.END),
  MetricDataQueries: [stat("m1", "Count"), stat("m2", "4XXError")],
}));
const list = await cw.send(new ListMetricsCommand({ Namespace: "AWS/ApiGateway" }));
console.log(data.MetricDataResults.map((r) => r.Values[0]).join(" "), list.Metrics.length);
