import { parseArgs, type ParseArgsConfig } from "node:util";
import { accountGroup } from "./account";
import { Opts, UsageError, type CommandSpec, type GroupSpec, type OptionSpec } from "./command";
import { fundGroup } from "./fund";
import { hospitalGroup } from "./hospital";
import { describeError } from "./errors";
import { Context, GLOBAL_OPTIONS, resolveGlobals } from "./options";
import { render } from "./output";
import { regulatorGroup } from "./regulator";
import { supplierGroup } from "./supplier";
import { publicGroup } from "./sunshine";

/**
 * `sunshine <group> <command> [options]`: finds the command, parses its options with the
 * global ones (node:util parseArgs, strict), runs it and prints a table or JSON. Every
 * expected failure — bad usage, a ledger revert (decoded to the custom error and its
 * arguments), a gateway error (CODE (status): message) — is one line on stderr and exit 1.
 */

export const GROUPS: GroupSpec[] = [
  supplierGroup,
  regulatorGroup,
  hospitalGroup,
  fundGroup,
  publicGroup,
  accountGroup,
];

export interface Io {
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown };
  env: NodeJS.ProcessEnv;
}

interface Resolved {
  group?: GroupSpec;
  command?: CommandSpec;
  /** Words that matched, e.g. ["supplier", "bid"] when the command is incomplete. */
  words: string[];
  /** argv without the command words. */
  rest: string[];
}

/**
 * Picks out the group and command words, skipping global options (and their values) around them.
 * A complete command still takes a next word that names a longer one (`stock` → `stock holders`);
 * any other word after it is its argument.
 */
function resolve(argv: string[]): Resolved {
  const words: string[] = [];
  const wordIndexes = new Set<number>();
  let group: GroupSpec | undefined;
  let command: CommandSpec | undefined;
  for (let i = 0; i < argv.length; i++) {
    const token = argv[i];
    if (token === "--") break;
    if (command && token.startsWith("-")) break;
    if (token.startsWith("-")) {
      const name = token.replace(/^--?/, "").split("=")[0];
      const spec = GLOBAL_OPTIONS[name] ?? Object.values(GLOBAL_OPTIONS).find((o) => o.short === name);
      if (spec?.type === "string" && !token.includes("=")) i++;
      continue;
    }
    if (!group) {
      group = GROUPS.find((g) => g.name === token);
      if (!group)
        throw new UsageError(
          `unknown command group "${token}" (one of ${GROUPS.map((g) => g.name).join(", ")})`,
        );
    } else {
      const path = [...words.slice(1), token];
      const matches = group.commands.filter((c) => path.every((w, j) => c.path[j] === w));
      if (matches.length === 0 && command) break;
      if (matches.length === 0) {
        throw new UsageError(
          `unknown command "${[group.name, ...path].join(" ")}"; see sunshine ${group.name} --help`,
        );
      }
      command = matches.find((c) => c.path.length === path.length);
    }
    words.push(token);
    wordIndexes.add(i);
  }
  return { group, command, words, rest: argv.filter((_, i) => !wordIndexes.has(i)) };
}

// ---------------------------------------------------------------------------------------------
// Help
// ---------------------------------------------------------------------------------------------

function optionLines(options: Record<string, OptionSpec>, positional?: string): string[] {
  const rows = Object.entries(options).map(([name, o]) => {
    const flag = `${o.short ? `-${o.short}, ` : ""}--${name}${o.value ? ` ${o.value}` : ""}`;
    const notes = [
      o.required ? "required" : "",
      o.multiple ? "repeatable" : "",
      positional === name ? "or positional" : "",
    ]
      .filter(Boolean)
      .join(", ");
    return [flag, `${o.description}${notes ? ` (${notes})` : ""}`, o.notes ?? []] as const;
  });
  const width = Math.max(...rows.map(([f]) => f.length));
  return rows.flatMap(([f, d, notes]) => [
    `  ${f.padEnd(width)}  ${d}`,
    ...notes.map((n) => `  ${" ".repeat(width)}    ${n}`),
  ]);
}

function commandList(group: GroupSpec, prefix: string[] = []): string[] {
  const commands = group.commands.filter((c) => prefix.every((w, j) => c.path[j] === w));
  const names = commands.map((c) => c.path.join(" "));
  const width = Math.max(...names.map((n) => n.length));
  return commands.map((c, i) => `  ${names[i].padEnd(width)}  ${c.summary}`);
}

const ENVIRONMENT = [
  "Environment:",
  "  SUNSHINE_KEY                hex private key of the account that acts",
  "  SUNSHINE_KEYSTORE_PASSWORD  password of --keystore",
  "  SUNSHINE_RPC_URL, SUNSHINE_DEPLOYMENT, SUNSHINE_GATEWAY  defaults of --rpc, --deployment, --gateway",
];

export function mainHelp(): string {
  const lines = [
    "Usage: sunshine <group> <command> [options]",
    "",
    "The Sunshine Ledger from the command line: chain acts are signed with your key and sent",
    "directly (or gas-less through a gateway with --relay); API commands sign in to the gateway.",
    "",
  ];
  for (const g of GROUPS) lines.push(`${g.name} — ${g.summary}`, ...commandList(g), "");
  lines.push("Global options:", ...optionLines(GLOBAL_OPTIONS), "", ...ENVIRONMENT, "");
  lines.push(
    "Example:",
    '  $ SUNSHINE_KEY=0x… sunshine supplier register --name "Acme Medical" --registration-id 91310000X',
    "",
  );
  lines.push("Run sunshine <group> --help or sunshine <group> <command> --help for details.");
  return lines.join("\n") + "\n";
}

export function groupHelp(group: GroupSpec, prefix: string[] = []): string {
  const lines = [
    `Usage: sunshine ${[group.name, ...prefix].join(" ")} <command> [options]`,
    "",
    `${group.name}: ${group.summary}`,
    "",
    "Commands:",
    ...commandList(group, prefix),
    "",
    "Global options:",
    ...optionLines(GLOBAL_OPTIONS),
    "",
    "Example:",
    `  $ ${group.commands.find((c) => prefix.every((w, j) => c.path[j] === w))!.examples[0]}`,
    "",
    `Run sunshine ${group.name} <command> --help for a command's options.`,
  ];
  return lines.join("\n") + "\n";
}

export function commandHelp(group: GroupSpec, command: CommandSpec): string {
  const name = `sunshine ${group.name} ${command.path.join(" ")}`;
  const required = Object.entries(command.options)
    .filter(([, o]) => o.required)
    .map(([n, o]) => `--${n}${o.value ? ` ${o.value}` : ""}`);
  const summary = command.summary[0].toUpperCase() + command.summary.slice(1);
  const lines = [`Usage: ${name} ${[...required, "[options]"].join(" ")}`, "", `${summary}.`];
  if (command.details) lines.push("", command.details);
  lines.push("", "Options:", ...optionLines(command.options, command.positional));
  lines.push("", "Global options:", ...optionLines(GLOBAL_OPTIONS), "");
  lines.push(
    command.examples.length > 1 ? "Examples:" : "Example:",
    ...command.examples.map((e) => `  $ ${e}`),
  );
  return lines.join("\n") + "\n";
}

// ---------------------------------------------------------------------------------------------
// Main
// ---------------------------------------------------------------------------------------------

const defaultIo: Io = { stdout: process.stdout, stderr: process.stderr, env: process.env };

export async function main(args: string[], io: Io = defaultIo): Promise<number> {
  let ctx: Context | undefined;
  // `sunshine help supplier ship` is `sunshine supplier ship --help`.
  const argv = args[0] === "help" ? [...args.slice(1), "--help"] : args;
  let json = argv.includes("--json");
  try {
    const found = resolve(argv);
    const wantsHelp = found.rest.some((t) => t === "--help" || t === "-h");
    if (!found.group) {
      if (wantsHelp || argv.length === 0) {
        (wantsHelp ? io.stdout : io.stderr).write(mainHelp());
        return wantsHelp ? 0 : 1;
      }
      throw new UsageError(
        `missing the command group (${GROUPS.map((g) => g.name).join(", ")}); see sunshine --help`,
      );
    }
    if (!found.command) {
      const help = groupHelp(found.group, found.words.slice(1));
      if (wantsHelp) {
        io.stdout.write(help);
        return 0;
      }
      const prefix = found.words.slice(1);
      const choices = found.group.commands
        .filter((c) => prefix.every((w, j) => c.path[j] === w))
        .map((c) => c.path.join(" "));
      throw new UsageError(
        `missing the command after "sunshine ${found.words.join(" ")}" (${choices.join(", ")}); see sunshine ${found.group.name} --help`,
      );
    }
    const { group, command } = found;
    if (wantsHelp) {
      io.stdout.write(commandHelp(group, command));
      return 0;
    }
    const duplicate = Object.keys(command.options).find((n) => n in GLOBAL_OPTIONS);
    if (duplicate) throw new Error(`command option --${duplicate} shadows a global option`);
    const options: NonNullable<ParseArgsConfig["options"]> = {};
    for (const [name, o] of Object.entries({ ...GLOBAL_OPTIONS, ...command.options })) {
      options[name] = {
        type: o.type,
        ...(o.multiple ? { multiple: true } : {}),
        ...(o.short ? { short: o.short } : {}),
      };
    }
    let parsed: { values: Record<string, unknown>; positionals: string[] };
    try {
      parsed = parseArgs({ args: found.rest, options, allowPositionals: true, strict: true });
    } catch (error) {
      const message = (error as Error).message.split(". ")[0].replace(/\.$/, "");
      throw new UsageError(`${message}; see ${usageHint(group, command)}`);
    }
    const values = { ...parsed.values } as Record<
      string,
      string | boolean | (string | boolean)[] | undefined
    >;
    if (parsed.positionals.length > 0) {
      if (!command.positional || parsed.positionals.length > 1) {
        throw new UsageError(
          `unexpected argument "${parsed.positionals[command.positional ? 1 : 0]}"; see ${usageHint(group, command)}`,
        );
      }
      if (values[command.positional] !== undefined) {
        throw new UsageError(`--${command.positional} is given twice (as an option and as an argument)`);
      }
      values[command.positional] = parsed.positionals[0];
    }
    const globals = resolveGlobals(values, io.env);
    json = globals.json;
    ctx = new Context(globals, io.env);
    const result = await command.run(ctx, new Opts(values));
    io.stdout.write(render(result, json));
    return result.exitCode ?? 0;
  } catch (error) {
    const described = await describeError(error, ctx);
    if (json) io.stderr.write(JSON.stringify({ error: described }) + "\n");
    else io.stderr.write(`error: ${described.message}\n`);
    if (io.env.SUNSHINE_DEBUG && error instanceof Error && error.stack) io.stderr.write(error.stack + "\n");
    return 1;
  } finally {
    ctx?.close();
  }
}

function usageHint(group: GroupSpec, command: CommandSpec): string {
  return `sunshine ${group.name} ${command.path.join(" ")} --help`;
}
