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

export class ValidationFailure extends Error {
  readonly issues: ValidationIssue[];
  constructor(ajvErrors: NonNullable<ValidateFunction['errors']>) {
    const issues = ajvErrors.map((error) => {
      const missing =
        error.keyword === 'required' && typeof error.params.missingProperty === 'string'
          ? `/${error.params.missingProperty}`
          : '';
      return { path: `${error.instancePath}${missing}` || '/', message: error.message ?? 'is invalid' };
    });
    super(issues.map((issue) => `${issue.path} ${issue.message}`).join('; '));
    this.name = 'ValidationFailure';
    this.issues = issues;
  }
}
