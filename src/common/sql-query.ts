/** A parameterised statement built by a query builder, run with `dataSource.query(text, values)`. */
export interface SqlQuery {
  text: string;
  values: unknown[];
}
