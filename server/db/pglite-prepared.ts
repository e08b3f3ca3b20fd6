import { parse, protocol, type PGlite } from "@electric-sql/pglite";
import type { QueryResult } from "./db";

/**
 * Named prepared statements on PGlite, which its `query()` does not offer: that parses,
 * describes and plans every statement anew, in six calls into PostgreSQL. Here a statement is
 * parsed and described once per database (the first time its text is run); each run after is
 * one call carrying bind, describe, execute and sync, and PostgreSQL plans it as it plans pg's
 * named statements (custom plans first, then a generic one once that does as well).
 *
 * Measured on the usage's one-statement insert: 0.70 ms through `query()`, 0.29 ms prepared
 * (docs/performance.md, "PGlite's prepared statements").
 *
 * Values are serialised and rows parsed with the same serialisers and parsers `query()` uses,
 * so both paths answer alike. A statement is kept only once it parsed: one refused (bad SQL, an
 * aborted transaction) is parsed again next time. A protocol-level statement outlives a
 * rolled-back transaction.
 */
export class PreparedStatements {
  private readonly statements = new Map<string, { name: string; paramTypes: number[] }>();

  constructor(private readonly pglite: PGlite) {}

  /**
   * Under PGlite's own query lock, as its `query()` runs: a transaction's statements do not pass
   * PgliteDb's mutex (the transaction holds it), and two of them sent together would otherwise
   * interleave their calls and read each other's answers.
   */
  query<T>(sql: string, params: readonly unknown[]): Promise<QueryResult<T>> {
    return this.pglite.runExclusive(() => this.run<T>(sql, params));
  }

  private async run<T>(sql: string, params: readonly unknown[]): Promise<QueryResult<T>> {
    const statement = this.statements.get(sql) ?? (await this.prepare(sql));
    const values = params.map((value, i) => {
      if (value === null || value === undefined) return null;
      const serialise = this.pglite.serializers[statement.paramTypes[i]];
      return serialise ? serialise(value) : String(value);
    });
    // The sync ends the run whatever happens, so a failed bind or execute leaves the connection
    // ready for the next statement (inside a transaction: aborted, as with query()).
    const messages = await this.pglite.execProtocolStream(
      Buffer.concat([
        protocol.serialize.bind({ statement: statement.name, values }),
        protocol.serialize.describe({ type: "P" }),
        protocol.serialize.execute({}),
        protocol.serialize.sync(),
      ]),
    );
    const [result] = parse.parseResults(messages, this.pglite.parsers);
    return { rows: result.rows as T[], rowCount: result.rowCount ?? result.rows.length };
  }

  private async prepare(sql: string): Promise<{ name: string; paramTypes: number[] }> {
    const name = `prepared_${this.statements.size}`;
    const messages = await this.pglite.execProtocolStream(
      Buffer.concat([
        protocol.serialize.parse({ name, text: sql }),
        protocol.serialize.describe({ type: "S", name }),
        protocol.serialize.sync(),
      ]),
    );
    const statement = { name, paramTypes: parse.parseDescribeStatementResults(messages) };
    this.statements.set(sql, statement);
    return statement;
  }
}
