import type { AutohealRules } from './rules.types';

export abstract class RulesSource {
  abstract current(): AutohealRules;
}

/** What the file-backed source resolves to, and what tests hand the engine. */
export class StaticRulesSource extends RulesSource {
  constructor(private readonly rules: AutohealRules) {
    super();
  }

  current(): AutohealRules {
    return this.rules;
  }
}
