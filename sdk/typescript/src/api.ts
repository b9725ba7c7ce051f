// Types of the API's operations, read off the generated `paths`, so that a
// method's parameters and answer change when the document does (and the
// build fails where the SDK no longer fits it).
import type { paths } from "./generated/openapi.js";

type Method = "get" | "post" | "delete";
type Operation<P extends keyof paths, M extends Method> = NonNullable<paths[P][M]>;
type Json<C> = C extends { content: { "application/json": infer B } } ? B : never;

/** JsonBody is the JSON request body of the operation at path P and method M. */
export type JsonBody<P extends keyof paths, M extends Method> =
  Operation<P, M> extends { requestBody?: infer R } ? Json<NonNullable<R>> : never;

/** Answer is the JSON body of the operation's success answers (200, 201 or 202). */
export type Answer<P extends keyof paths, M extends Method> =
  Operation<P, M> extends { responses: infer R } ? Json<R[keyof R & (200 | 201 | 202)]> : never;

/** Query is the query parameters of the operation. */
export type Query<P extends keyof paths, M extends Method> =
  Operation<P, M> extends { parameters: { query?: infer Q } } ? NonNullable<Q> : never;

/** ListParams are the cursor parameters every list takes. */
export interface ListParams {
  /** How many items a page holds, 1 to 100 (the hub's default is 10). */
  limit?: number;
  /** A cursor: list the items after this id (older ones, for newest-first lists). */
  starting_after?: string;
  /** A cursor: list the items before this id (newer ones); iteration then goes towards the newest. */
  ending_before?: string;
}
