import type { ListParams } from "./api.js";

/** Page is one answer of a list: its items and whether more lie beyond them. */
export interface Page<T> {
  data: T[];
  has_more: boolean;
}

/**
 * List is what every list method returns. Awaited, it is the first page;
 * iterated with `for await`, it yields every item of every page, fetching
 * the next page only when the items before it are used up; pages() yields
 * the pages themselves.
 *
 * Pages follow the cursor of the params: after the last item of each page
 * (starting_after), or, when the params start with ending_before, before the
 * first item of each page, towards the newest.
 */
export class List<T extends { id: string }, P extends ListParams = ListParams> implements PromiseLike<Page<T>>, AsyncIterable<T> {
  readonly #fetchPage: (params: P) => Promise<Page<T>>;
  readonly #params: P;
  #first: Promise<Page<T>> | undefined;

  constructor(fetchPage: (params: P) => Promise<Page<T>>, params: P) {
    this.#fetchPage = fetchPage;
    this.#params = params;
  }

  then<A = Page<T>, B = never>(
    onfulfilled?: ((page: Page<T>) => A | PromiseLike<A>) | null,
    onrejected?: ((reason: unknown) => B | PromiseLike<B>) | null,
  ): Promise<A | B> {
    this.#first ??= this.#fetchPage(this.#params);
    return this.#first.then(onfulfilled, onrejected);
  }

  /** pages yields each page in turn until one says has_more: false. */
  async *pages(): AsyncGenerator<Page<T>, void, undefined> {
    const backwards = this.#params.ending_before !== undefined && this.#params.starting_after === undefined;
    let params = this.#params;
    for (;;) {
      const page = await this.#fetchPage(params);
      yield page;
      const edge = backwards ? page.data[0] : page.data[page.data.length - 1];
      if (!page.has_more || edge === undefined) return;
      params = backwards ? { ...params, ending_before: edge.id } : { ...params, starting_after: edge.id };
    }
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<T, void, undefined> {
    for await (const page of this.pages()) yield* page.data;
  }
}
