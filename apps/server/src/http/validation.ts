import { Ajv, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import type { FastifySchemaCompiler } from 'fastify';

function makeAjv(coerce: boolean): Ajv {
  const ajv = new Ajv({
    coerceTypes: coerce ? 'array' : false,
    useDefaults: true,
    removeAdditional: false,
    allErrors: false,
    strict: false,
    // Each error carries its schema, so messages can name the choices and formats (issueOf).
    verbose: true,
  });
  addFormats(ajv);
  return ajv;
}

/**
 * Bodies are validated strictly (a number where a string belongs is a 400);
 * query strings, params and headers arrive as text and are coerced.
 */
export function validatorCompiler(): FastifySchemaCompiler<unknown> {
  const strict = makeAjv(false);
  const coercing = makeAjv(true);
  return ({ schema, httpPart }) => {
    const ajv = httpPart === 'body' ? strict : coercing;
    const validate: ValidateFunction = ajv.compile(schema as object);
    return (data: unknown) =>
      validate(data) ? { value: data } : { error: new ValidationFailure(validate.errors ?? []) };
  };
}

export interface ValidationIssue {
  path: string;
  message: string;
}

type AjvError = NonNullable<ValidateFunction['errors']>[number];

/** The constants a list of choices allows, when every choice is one constant (an enum as TypeBox writes it). */
function constantsOf(choices: unknown): string[] | null {
  if (!Array.isArray(choices)) {
    return null;
  }
  const constants = choices.map((choice: unknown) =>
    typeof choice === 'object' && choice !== null && 'const' in choice ? JSON.stringify(choice.const) : null,
  );
  return constants.every((constant) => constant !== null) ? constants : null;
}

/**
 * What a string that fails its schema's pattern is told, over REST and the
 * socket alike: the schema's description, never the pattern itself (an ID's is
 * some 700 characters).
 */
export function wrongFormat(schema: unknown): string {
  const description =
    typeof schema === 'object' && schema !== null && 'description' in schema ? schema.description : undefined;
  return typeof description === 'string' ? `has the wrong format: ${description}` : 'has the wrong format';
}

/**
 * One error as the client reads it. Ajv's own wording repeats a pattern in
 * full (an ID's is some 700 characters) and answers a choice between constants
 * with one line per constant; these name the format and the choices instead.
 */
function issueOf(error: AjvError): ValidationIssue {
  const missing =
    error.keyword === 'required' && typeof error.params.missingProperty === 'string'
      ? `/${error.params.missingProperty}`
      : '';
  const path = `${error.instancePath}${missing}` || '/';
  if (error.keyword === 'pattern') {
    return { path, message: wrongFormat(error.parentSchema) };
  }
  const constants = error.keyword === 'anyOf' ? constantsOf(error.schema) : null;
  if (constants !== null) {
    return { path, message: `must be one of ${constants.join(', ')}` };
  }
  return { path, message: error.message ?? 'is invalid' };
}

/** The errors worth showing: a choice between constants stands for the constants' own errors under it. */
function shownErrors(errors: readonly AjvError[]): AjvError[] {
  const choices = errors.filter((error) => error.keyword === 'anyOf' && constantsOf(error.schema) !== null);
  return errors.filter(
    (error) =>
      !choices.some(
        (choice) =>
          choice !== error &&
          choice.instancePath === error.instancePath &&
          error.schemaPath.startsWith(`${choice.schemaPath}/`),
      ),
  );
}

export class ValidationFailure extends Error {
  readonly issues: ValidationIssue[];
  constructor(ajvErrors: NonNullable<ValidateFunction['errors']>) {
    const issues = shownErrors(ajvErrors).map(issueOf);
    super(issues.map((issue) => `${issue.path} ${issue.message}`).join('; '));
    this.name = 'ValidationFailure';
    this.issues = issues;
  }
}
