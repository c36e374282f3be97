import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The environment variables the template uses; nothing else in it is substituted. */
export const NGINX_TEMPLATE_VARIABLES = [
  'NGINX_PORT',
  'NGINX_RESOLVER',
  'TASK_API_URL',
  'OTEL_COLLECTOR_URL',
  'GRAFANA_URL',
] as const;
export type NginxTemplateVariable = (typeof NGINX_TEMPLATE_VARIABLES)[number];

/** Values an image should set as ENV defaults, since the entrypoint leaves undefined variables as they are. */
export const NGINX_TEMPLATE_DEFAULTS: Readonly<Partial<Record<NginxTemplateVariable, string>>> = {
  NGINX_PORT: '8080',
  NGINX_RESOLVER: '127.0.0.11',
  GRAFANA_URL: '',
};

/** services/frontend/nginx/default.conf.template, read from the source tree. */
export const NGINX_TEMPLATE_FILE = fileURLToPath(
  new URL('../../nginx/default.conf.template', import.meta.url),
);

export function readNginxTemplate(): string {
  return readFileSync(NGINX_TEMPLATE_FILE, 'utf8');
}

/**
 * Renders the template as the nginx image's entrypoint does (`envsubst "$defined_envs"`):
 * `${NAME}` and `$NAME` are replaced for each listed variable that is defined in `env`, and
 * everything else, nginx's own `$variables` included, is left untouched. Unlike the entrypoint it
 * substitutes only the template's own variables, never e.g. `$HOSTNAME` of the container.
 */
export function renderNginxTemplate(
  template: string,
  env: Readonly<Record<string, string | undefined>>,
): string {
  return template.replace(
    /\$\{([A-Z_][A-Z0-9_]*)\}|\$([A-Z_][A-Z0-9_]*)/g,
    (whole, braced?: string, bare?: string) => {
      const name = braced ?? bare ?? '';
      const value = env[name];
      return (NGINX_TEMPLATE_VARIABLES as readonly string[]).includes(name) && value !== undefined
        ? value
        : whole;
    },
  );
}

/** The listed variables the template still references after rendering with `env` (left as `${NAME}`). */
export function unresolvedVariables(rendered: string): string[] {
  return NGINX_TEMPLATE_VARIABLES.filter(
    (name) => rendered.includes(`\${${name}}`) || new RegExp(`\\$${name}\\b`).test(rendered),
  );
}
