import type { AutohealRules } from './rules.types';

/** Where the engine reads its policy. Abstract class = DI token (overrideProvider in tests). */
export abstract class RulesSource {
  abstract current(): AutohealRules;
}

/** Fixed rules: what the file-backed source resolves to, and what tests hand the engine. */
export class StaticRulesSource extends RulesSource {
  constructor(private readonly rules: AutohealRules) {
    super();
  }

  current(): AutohealRules {
    return this.rules;
  }
}
