export interface SqlQuery {
  text: string;
  values: unknown[];
}
