// The fragment definition lives in templates/duoauth.json (bundled at build time, so no file read at run time).
import template from '../../templates/duoauth.json' with { type: 'json' };

export const DUO = template;
export type OptionalParam = keyof typeof template.optionalParams;
export const OPTIONAL_PARAMS = Object.keys(template.optionalParams) as OptionalParam[];
export const PARAM_ORDER: string[] = [...template.requiredParams, ...OPTIONAL_PARAMS];

/** A duoauth filter's settings: init-params in document order. */
export type Params = Array<[name: string, value: string]>;
