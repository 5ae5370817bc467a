import { notFound } from "../api-errors.ts";
import { jsonResponse } from "../responses.ts";
import { declareRoute } from "../route-declaration.ts";

export const route = declareRoute(
  "GET /v1/executions/{name}",
  {
    name: "GetExecution",
    access: ["operator"],
    needs: { workflow: ["states:DescribeExecution", "states:GetExecutionHistory"] },
  },
  async (deps, { event }) => {
    const name = event.pathParameters?.name ?? "";
    const execution = await deps.workflow.describeExecution(name);
    if (execution === undefined) throw notFound(`Execution ${name}`);
    return jsonResponse(200, execution);
  },
);
