import { notFound } from "../api-errors.ts";
import { jsonResponse } from "../responses.ts";
import { declareRoute } from "../route-declaration.ts";

export const route = declareRoute({
  name: "GetExecution",
  method: "GET",
  path: "/v1/executions/{name}",
  access: ["operator"],
  needs: { workflow: ["states:DescribeExecution", "states:GetExecutionHistory"] },
  handle: async (deps, { event }) => {
    const name = event.pathParameters?.name ?? "";
    const execution = await deps.workflow.describeExecution(name);
    if (execution === undefined) throw notFound(`Execution ${name}`);
    return jsonResponse(200, execution);
  },
});
