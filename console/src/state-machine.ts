// The order workflow as a picture: the states of statemachines/order.asl.json laid out in rows
// (each state below every state that leads to it, loops drawn back up), and which of them an
// execution's history entered, and where it is now.
import type { ExecutionEvent } from "./api.ts";

interface AslState {
  readonly Type: string;
  readonly Next?: string;
  readonly Default?: string;
  readonly End?: boolean;
  readonly Choices?: readonly { readonly Next?: string }[];
  readonly Catch?: readonly { readonly Next?: string }[];
  readonly Comment?: string;
}

export interface AslDefinition {
  readonly StartAt: string;
  readonly States: Readonly<Record<string, AslState>>;
}

export type EdgeKind = "next" | "choice";

export interface LaidOutState {
  readonly name: string;
  readonly type: string;
  readonly layer: number;
  readonly x: number;
  readonly y: number;
  /** States a task reaches when it fails (drawn as a note, not as arrows). */
  readonly catchesTo: readonly string[];
  readonly comment?: string;
}

export interface LaidOutEdge {
  readonly from: string;
  readonly to: string;
  readonly kind: EdgeKind;
  /** Leads back up (or to itself): a loop. */
  readonly back: boolean;
  /** The side a loop is drawn on: away from the other states of its rows. */
  readonly side: "left" | "right";
}

export interface Layout {
  readonly states: readonly LaidOutState[];
  readonly edges: readonly LaidOutEdge[];
  readonly width: number;
  readonly height: number;
}

export const BOX = { width: 232, height: 44, columnGap: 36, rowGap: 34, margin: 20, loopSpace: 70 };

function outgoing(state: AslState): { to: string; kind: EdgeKind }[] {
  const edges: { to: string; kind: EdgeKind }[] = [];
  if (state.Next !== undefined) edges.push({ to: state.Next, kind: "next" });
  for (const choice of state.Choices ?? []) {
    if (choice.Next !== undefined) edges.push({ to: choice.Next, kind: "choice" });
  }
  if (state.Default !== undefined) edges.push({ to: state.Default, kind: "choice" });
  const seen = new Set<string>();
  return edges.filter((edge) => {
    const key = `${edge.kind}:${edge.to}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

const catchTargets = (state: AslState) => [
  ...new Set((state.Catch ?? []).flatMap((c) => (c.Next === undefined ? [] : [c.Next]))),
];

/**
 * Rows by longest path from the start over the workflow's forward transitions (a transition to a
 * state on the way to it is a loop, drawn back up); failure paths (Catch) count for the rows, so
 * the failure states sit below what can fail into them, but are not drawn as arrows.
 */
export function layoutStateMachine(definition: AslDefinition): Layout {
  const states = definition.States;
  const names = Object.keys(states);
  const forward = new Map<string, Set<string>>(names.map((name) => [name, new Set<string>()]));
  const backEdges = new Set<string>();
  const visiting = new Set<string>();
  const done = new Set<string>();
  const visit = (name: string) => {
    const state = states[name];
    if (state === undefined || done.has(name)) return;
    visiting.add(name);
    const targets = [...outgoing(state).map((edge) => edge.to), ...catchTargets(state)];
    for (const to of targets) {
      if (states[to] === undefined) continue;
      if (visiting.has(to)) {
        backEdges.add(`${name}->${to}`);
        continue;
      }
      forward.get(name)?.add(to);
      visit(to);
    }
    visiting.delete(name);
    done.add(name);
  };
  visit(definition.StartAt);
  for (const name of names) visit(name);

  // Longest path: a state's row is one below the lowest row of the states leading to it.
  const layer = new Map<string, number>();
  const order: string[] = [];
  const placed = new Set<string>();
  const place = (name: string) => {
    if (placed.has(name)) return;
    placed.add(name);
    for (const to of forward.get(name) ?? []) place(to);
    order.unshift(name);
  };
  place(definition.StartAt);
  for (const name of names) place(name);
  for (const name of order) {
    const row = layer.get(name) ?? 0;
    layer.set(name, row);
    for (const to of forward.get(name) ?? []) layer.set(to, Math.max(layer.get(to) ?? 0, row + 1));
  }

  // Within a row, states follow the mean position of the states leading to them.
  const rows: string[][] = [];
  for (const name of order) {
    const row = layer.get(name) ?? 0;
    rows[row] = [...(rows[row] ?? []), name];
  }
  const column = new Map<string, number>();
  const predecessors = (name: string) =>
    names.filter((from) => forward.get(from)?.has(name) && column.has(from));
  for (const row of rows) {
    if (row === undefined) continue;
    const keyed = row.map((name, index) => {
      const before = predecessors(name).map((from) => column.get(from) ?? 0);
      const mean = before.length === 0 ? index : before.reduce((a, b) => a + b, 0) / before.length;
      return { name, mean, index };
    });
    keyed.sort((a, b) => a.mean - b.mean || a.index - b.index);
    keyed.forEach(({ name }, index) => {
      column.set(name, index - (keyed.length - 1) / 2);
    });
  }
  const widest = Math.max(1, ...rows.map((row) => row?.length ?? 0));
  const contentWidth = widest * BOX.width + (widest - 1) * BOX.columnGap;
  const width = contentWidth + 2 * BOX.margin + 2 * BOX.loopSpace;
  const centre = BOX.margin + BOX.loopSpace + contentWidth / 2;
  const laidOut: LaidOutState[] = names.map((name) => {
    const state = states[name] as AslState;
    const row = layer.get(name) ?? 0;
    return {
      name,
      type: state.Type,
      layer: row,
      x: centre + (column.get(name) ?? 0) * (BOX.width + BOX.columnGap) - BOX.width / 2,
      y: BOX.margin + row * (BOX.height + BOX.rowGap),
      catchesTo: catchTargets(state),
      ...(state.Comment === undefined ? {} : { comment: state.Comment }),
    };
  });
  const edges: LaidOutEdge[] = names.flatMap((from) =>
    outgoing(states[from] as AslState)
      .filter((edge) => states[edge.to] !== undefined)
      .map((edge) => ({
        from,
        to: edge.to,
        kind: edge.kind,
        back: backEdges.has(`${from}->${edge.to}`) || from === edge.to,
        side: (column.get(from) ?? 0) < 0 ? ("left" as const) : ("right" as const),
      })),
  );
  return {
    states: laidOut.sort((a, b) => a.layer - b.layer || a.x - b.x),
    edges,
    width,
    height: 2 * BOX.margin + rows.length * BOX.height + (rows.length - 1) * BOX.rowGap,
  };
}

export interface ExecutionPosition {
  /** The state the execution is in now (or ended in). */
  readonly current?: string;
  /** Every state it entered. */
  readonly visited: ReadonlySet<string>;
  /** States that failed at least once (retried or caught). */
  readonly failed: ReadonlySet<string>;
  /** How many times each state was entered. */
  readonly entries: ReadonlyMap<string, number>;
  /** The transitions taken, as "From->To" (one state entered right after the other). */
  readonly transitions: ReadonlySet<string>;
}

/**
 * Where an execution is, from its history: the last state entered. Step Functions names the
 * events by state type (TaskStateEntered, ChoiceStateEntered, …); the local engine StateEntered.
 */
export function executionPosition(events: readonly ExecutionEvent[]): ExecutionPosition {
  let current: string | undefined;
  const visited = new Set<string>();
  const failed = new Set<string>();
  const entries = new Map<string, number>();
  const transitions = new Set<string>();
  for (const event of events) {
    if (event.stateName === undefined) continue;
    if (event.type.endsWith("StateEntered")) {
      if (current !== undefined) transitions.add(`${current}->${event.stateName}`);
      current = event.stateName;
      visited.add(event.stateName);
      entries.set(event.stateName, (entries.get(event.stateName) ?? 0) + 1);
    } else if (/Failed$|TimedOut$/.test(event.type)) {
      failed.add(event.stateName);
    }
  }
  return { ...(current === undefined ? {} : { current }), visited, failed, entries, transitions };
}
