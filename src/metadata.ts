/* eslint-disable */
export default async () => {
  const t = {
    ['./anomalies/dto/anomaly-response.dto']: await import('./anomalies/dto/anomaly-response.dto'),
    ['./incidents/dto/incident-response.dto']: await import('./incidents/dto/incident-response.dto'),
    ['./signing/dto/signing-response.dto']: await import('./signing/dto/signing-response.dto'),
    ['./throttles/dto/throttle-response.dto']: await import('./throttles/dto/throttle-response.dto'),
    ['./deliveries/dto/delivery-response.dto']: await import('./deliveries/dto/delivery-response.dto'),
    ['./dashboard/dto/dashboard-response.dto']: await import('./dashboard/dto/dashboard-response.dto'),
    ['./controls/dto/controls-response.dto']: await import('./controls/dto/controls-response.dto'),
    ['./engine/dto/cycle-result-response.dto']: await import('./engine/dto/cycle-result-response.dto'),
    ['./escalation/dto/silence-response.dto']: await import('./escalation/dto/silence-response.dto'),
    ['./recovery/dto/recovery-response.dto']: await import('./recovery/dto/recovery-response.dto'),
    ['./audit/dto/audit-entry-response.dto']: await import('./audit/dto/audit-entry-response.dto'),
    ['./escalation/dto/escalation-response.dto']: await import('./escalation/dto/escalation-response.dto'),
    ['./maintenance/dto/maintenance-response.dto']: await import('./maintenance/dto/maintenance-response.dto'),
  };
  return {
    '@nestjs/swagger': {
      models: [
        [
          import('./anomalies/dto/anomaly-response.dto'),
          {
            ErrorSignatureShareDto: {
              signature: {
                required: true,
                type: () => String,
                description:
                  'The error message with what varies between occurrences (ids, timestamps, addresses, ' +
                  'numbers) replaced by placeholders.',
              },
              count: { required: true, type: () => Number, description: 'Failures with it, of `sampled`.' },
              sampled: { required: true, type: () => Number },
              share: { required: true, type: () => Number, description: 'count / sampled, 0..1.' },
            },
            AnomalyDto: {
              tenant_id: { required: true, type: () => String },
              endpoint: { required: true, type: () => String },
              kind: { required: true, enum: ['failure_burst', 'sustained_outage', 'traffic_spike'] },
              severity: { required: true, enum: ['low', 'medium', 'high', 'critical'] },
              failures: { required: true, type: () => Number, description: 'failed + dead_letter in the recent window.' },
              total_recent: { required: true, type: () => Number },
              total_baseline: { required: true, type: () => Number },
              failures_baseline: { required: true, type: () => Number },
              failure_rate: { required: true, type: () => Number },
              baseline_failure_rate: { required: true, type: () => Number },
              traffic_ratio: {
                required: true,
                type: () => Number,
                description: 'Recent over baseline deliveries per minute (1 = as usual).',
              },
              triage_distribution: {
                required: true,
                type: 'object',
                additionalProperties: { type: 'number' },
                description: 'Failures per triage label.',
              },
              most_common_error: { required: true, type: () => String, nullable: true },
              detected_at: { required: true, type: () => String },
              tenant_failure_share: {
                required: false,
                type: () => Number,
                description: "The tenant's share of all failures in the recent window, over every tenant (0..1).",
              },
              tenant_traffic_ratio: {
                required: false,
                type: () => Number,
                nullable: true,
                description:
                  "The tenant's deliveries per minute, recent over baseline, over all its endpoints; null " + 'without baseline traffic.',
              },
              flooding_tenant: {
                required: false,
                type: () => String,
                nullable: true,
                description:
                  'Named when the tenant floods: share above detection.dominance_ratio and traffic ≥ ' + 'detection.flood_traffic_ratio.',
              },
              error_signature: {
                required: false,
                type: () => t['./anomalies/dto/anomaly-response.dto'].ErrorSignatureShareDto,
                nullable: true,
                description:
                  'The error signature most of the recent failures share (SILENCE_DUPES), over up to 500 of ' +
                  'the newest; null without messages.',
              },
            },
            CurrentAnomaliesDto: {
              detected_at: { required: true, type: () => String },
              incidents: { required: true, type: () => [t['./anomalies/dto/anomaly-response.dto'].AnomalyDto] },
            },
          },
        ],
        [
          import('./audit/dto/audit-entry-response.dto'),
          {
            AuditEntryDto: {
              id: { required: true, type: () => String },
              at: { required: true, type: () => Date },
              operator_id: { required: true, type: () => String, description: "The token's subject, or `system:autoheal`." },
              action: { required: true, type: () => String },
              resource_type: { required: true, type: () => String },
              resource_id: { required: true, type: () => String, nullable: true },
              tenant_id: { required: true, type: () => String, nullable: true },
              meta: { required: true, type: 'object', additionalProperties: true },
            },
          },
        ],
        [
          import('./common/limit-query.dto'),
          { LimitQuery: { limit: { required: true, type: () => Number, default: 100, minimum: 1, maximum: 1000 } } },
        ],
        [
          import('./audit/dto/audit-query.dto'),
          {
            AuditQueryDto: {
              action: { required: false, type: () => String, minLength: 1, maxLength: 200 },
              tenant_id: { required: false, type: () => String, minLength: 1, maxLength: 200 },
              since: { required: false, type: () => String },
            },
          },
        ],
        [
          import('./incidents/dto/incident-response.dto'),
          {
            IncidentDto: {
              id: { required: true, type: () => String },
              tenant_id: { required: true, type: () => String },
              endpoint: { required: true, type: () => String },
              kind: { required: true, enum: ['failure_burst', 'sustained_outage', 'traffic_spike'] },
              severity: { required: true, enum: ['low', 'medium', 'high', 'critical'] },
              state: {
                required: true,
                enum: ['open', 'probing', 'draining', 'recovered', 'escalated', 'awaiting_approval', 'resolved', 'expired'],
              },
              first_failure_at: { required: true, type: () => Date },
              last_failure_at: { required: true, type: () => Date },
              opened_at: { required: true, type: () => Date },
              updated_at: { required: true, type: () => Date },
              recovered_at: { required: true, type: () => Date, nullable: true },
              resolved_at: { required: true, type: () => Date, nullable: true },
              first_probe_success_at: { required: true, type: () => Date, nullable: true },
              last_probe_at: { required: true, type: () => Date, nullable: true },
              next_probe_at: { required: true, type: () => Date, nullable: true },
              backlog_size: { required: true, type: () => Number },
              delivered_by_heal: { required: true, type: () => Number },
              sends_wasted: { required: true, type: () => Number },
              probes: { required: true, type: () => Number },
              ineffective_attempts: { required: true, type: () => Number },
              time_to_heal_seconds: { required: true, type: () => Number, nullable: true },
              escalation_id: { required: true, type: () => String, nullable: true },
              approval_id: { required: true, type: () => String, nullable: true },
              version: { required: true, type: () => Number, description: 'Bumped by every change.' },
            },
            IncidentEventDto: {
              id: { required: true, type: () => String },
              incident_id: { required: true, type: () => String },
              at: { required: true, type: () => Date },
              type: {
                required: true,
                enum: [
                  'recovered',
                  'resolved',
                  'opened',
                  'state_changed',
                  'probe',
                  'drain_batch',
                  'skipped',
                  'paged',
                  'approval_requested',
                  'approved',
                  'rejected',
                  'approval_expired',
                  'note',
                ],
              },
              cycle_id: { required: true, type: () => String, nullable: true },
              actor: { required: true, type: () => String },
              detail: { required: true, type: 'object', additionalProperties: true },
            },
            ApprovalPlanDto: {
              count: { required: true, type: () => Number, description: 'Deliveries the drain would send.' },
              oldest_at: { required: true, type: () => String, nullable: true, description: 'ISO 8601.' },
              target: { required: true, type: () => String },
            },
            ApprovalDto: {
              id: { required: true, type: () => String },
              incident_id: { required: true, type: () => String },
              tenant_id: { required: true, type: () => String },
              endpoint: { required: true, type: () => String },
              status: { required: true, enum: ['pending', 'expired', 'approved', 'rejected'] },
              plan: { required: true, type: () => t['./incidents/dto/incident-response.dto'].ApprovalPlanDto },
              requested_at: { required: true, type: () => Date },
              expires_at: { required: true, type: () => Date },
              decided_at: { required: true, type: () => Date, nullable: true },
              decided_by: { required: true, type: () => String, nullable: true },
              note: { required: true, type: () => String, nullable: true },
            },
            IncidentDetailDto: {
              timeline: {
                required: true,
                type: () => [t['./incidents/dto/incident-response.dto'].IncidentEventDto],
                description: 'Oldest first.',
              },
              approvals: {
                required: true,
                type: () => [t['./incidents/dto/incident-response.dto'].ApprovalDto],
                description: 'Newest first.',
              },
            },
            IncidentListDto: { incidents: { required: true, type: () => [t['./incidents/dto/incident-response.dto'].IncidentDto] } },
            ApprovalListDto: { approvals: { required: true, type: () => [t['./incidents/dto/incident-response.dto'].ApprovalDto] } },
            ApprovalDecisionDto: { incident: { required: true, type: () => t['./incidents/dto/incident-response.dto'].IncidentDto } },
          },
        ],
        [
          import('./incidents/dto/incidents.dto'),
          {
            ListIncidentsQuery: {
              state: {
                required: false,
                enum: ['open', 'probing', 'draining', 'recovered', 'escalated', 'awaiting_approval', 'resolved', 'expired'],
              },
              tenant_id: { required: false, type: () => String, minLength: 1, maxLength: 200 },
            },
            ListApprovalsQuery: { status: { required: false, enum: ['pending', 'expired', 'approved', 'rejected'] } },
            OperatorNoteBody: { note: { required: false, type: () => String, maxLength: 1000 } },
          },
        ],
        [
          import('./signing/dto/signing.dto'),
          {
            PutSigningBody: {
              tenant_id: { required: true, type: () => String, minLength: 1, maxLength: 200 },
              endpoint: { required: true, type: () => String, maxLength: 2048 },
              scheme: { required: true, enum: ['standard-webhooks', 'hmac-sha256', 'stripe-style'] },
              secret: {
                required: true,
                type: () => String,
                description: 'Write-only: stored encrypted, never returned.',
                minLength: 1,
                maxLength: 1024,
              },
              header: {
                required: false,
                type: () => String,
                description: 'hmac-sha256 (default X-Hub-Signature-256) and stripe-style (default Stripe-Signature) only.',
                minLength: 1,
                maxLength: 100,
              },
              prefix: {
                required: false,
                type: () => String,
                description: 'hmac-sha256 only; default `sha256=`. May be empty.',
                maxLength: 64,
              },
            },
            SigningQuery: {
              tenant_id: { required: false, type: () => String, minLength: 1, maxLength: 200 },
              endpoint: { required: false, type: () => String, maxLength: 2048 },
            },
          },
        ],
        [
          import('./signing/dto/signing-response.dto'),
          {
            SigningSettingsDto: {
              tenant_id: { required: true, type: () => String },
              endpoint: { required: true, type: () => String },
              scheme: { required: true, enum: ['standard-webhooks', 'hmac-sha256', 'stripe-style'] },
              header: {
                required: true,
                type: () => String,
                nullable: true,
                description: "The signature header (hmac-sha256, stripe-style); null: the scheme's own.",
              },
              prefix: { required: true, type: () => String, nullable: true, description: "hmac-sha256's value prefix; null: `sha256=`." },
              key_id: { required: true, type: () => String, description: 'The SIGNING_KEYS key the secret is encrypted under.' },
              updated_by: { required: true, type: () => String },
              created_at: { required: true, type: () => Date },
              updated_at: { required: true, type: () => Date },
            },
            SigningSettingsListDto: {
              settings: { required: true, type: () => [t['./signing/dto/signing-response.dto'].SigningSettingsDto] },
            },
            UnreadableSecretDto: {
              tenant_id: { required: true, type: () => String },
              endpoint: { required: true, type: () => String },
              key_id: { required: true, type: () => String },
            },
            ReencryptResultDto: {
              key_id: {
                required: true,
                type: () => String,
                description: 'The key every readable secret is now encrypted under (the first of SIGNING_KEYS).',
              },
              reencrypted: { required: true, type: () => Number, description: 'How many secrets were moved to it.' },
              unreadable: { required: true, type: () => [t['./signing/dto/signing-response.dto'].UnreadableSecretDto] },
            },
          },
        ],
        [
          import('./throttles/dto/throttle-response.dto'),
          {
            ThrottleDto: {
              tenant_id: { required: true, type: () => String },
              factor: {
                required: true,
                type: () => Number,
                description: 'The share of its usual delivery rate the tenant should send at, 0 < factor \u2264 1 (1: not throttled).',
              },
              until: { required: true, type: () => String, description: 'When the throttle ends (ISO 8601).' },
              reason: { required: true, type: () => String, nullable: true },
              set_by: { required: true, type: () => String },
              created_at: { required: true, type: () => String },
            },
            ThrottleListDto: { throttles: { required: true, type: () => [t['./throttles/dto/throttle-response.dto'].ThrottleDto] } },
            TenantThrottleDto: {
              tenant_id: { required: true, type: () => String },
              factor: {
                required: true,
                type: () => Number,
                description: 'The share of its usual delivery rate the tenant should send at, 0 < factor \u2264 1 (1: not throttled).',
              },
              until: {
                required: true,
                type: () => String,
                nullable: true,
                description: 'When the throttle ends (ISO 8601); null: not throttled.',
              },
              reason: { required: true, type: () => String, nullable: true },
              set_by: { required: false, type: () => String, description: 'Only while throttled.' },
              created_at: { required: false, type: () => String, description: 'Only while throttled (ISO 8601).' },
            },
          },
        ],
        [
          import('./deliveries/dto/delivery-outcome.dto'),
          {
            DeliveryOutcomeDto: {
              id: { required: true, type: () => String },
              tenant_id: { required: true, type: () => String },
              target: { required: true, type: () => String },
              status: { required: true, enum: ['failed', 'dead_letter', 'pending', 'delivered'] },
              http_status: { required: false, type: () => Number, nullable: true },
              error: { required: false, type: () => String, nullable: true },
              event_type: { required: false, type: () => String, nullable: true },
              payload: {
                required: false,
                type: () => Object,
                description: 'An explicit null is stored as null, a missing payload keeps the stored one.',
              },
              body: {
                required: false,
                type: () => String,
                nullable: true,
                description: 'The request body exactly as the dispatcher sent it; replays send these bytes. Needs `content_type`.',
              },
              content_type: { required: false, type: () => String, nullable: true },
              headers: { required: false, type: 'object', additionalProperties: { type: 'string' }, nullable: true },
              created_at: { required: false, type: () => String },
              attempted_at: { required: false, type: () => String },
            },
          },
        ],
        [
          import('./deliveries/dto/delivery-response.dto'),
          {
            UpsertResultDto: {
              inserted: { required: true, type: () => Number },
              updated: { required: true, type: () => Number },
              throttles: {
                required: false,
                type: () => [t['./throttles/dto/throttle-response.dto'].ThrottleDto],
                description: 'Only when a tenant of the batch is throttled (RATE_LIMIT_SOURCE): the dispatcher should ' + 'slow it down.',
              },
            },
            DeliveryDto: {
              id: { required: true, type: () => String },
              tenant_id: { required: true, type: () => String },
              target: { required: true, type: () => String },
              event_type: { required: true, type: () => String, nullable: true },
              status: { required: true, enum: ['failed', 'dead_letter', 'pending', 'delivered'] },
              http_status: { required: true, type: () => Number, nullable: true },
              error: { required: true, type: () => String, nullable: true },
              triage_label: {
                required: true,
                type: () => String,
                nullable: true,
                description: 'transient_endpoint_down, rate_limited, invalid_payload, permanent_4xx or unknown; null ' + 'while pending.',
              },
              triage_score: { required: true, type: () => Number, nullable: true, description: 'How sure the label is, 0..1.' },
              attempts: { required: true, type: () => Number },
              payload: { required: true, type: () => Object },
              body: {
                required: true,
                type: () => String,
                nullable: true,
                description:
                  'The request body exactly as the dispatcher sent it (replays send these bytes); null when ' +
                  'only a payload was reported.',
              },
              content_type: {
                required: true,
                type: () => String,
                nullable: true,
                description: "The body's media type, e.g. `application/json` or `application/x-www-form-urlencoded`.",
              },
              headers: {
                required: true,
                type: 'object',
                additionalProperties: { type: 'string' },
                nullable: true,
                description: 'Credentials (authorization, cookies, secrets, tokens, signatures) read `[redacted]`.',
              },
              meta: {
                required: true,
                type: 'object',
                additionalProperties: true,
                description: '`autoheal: true` once an auto-heal replay sent it.',
              },
              created_at: { required: true, type: () => Date },
              updated_at: { required: true, type: () => Date },
              last_attempt_at: { required: true, type: () => Date, nullable: true },
            },
            AttemptDto: {
              id: { required: true, type: () => String },
              attempted_at: { required: true, type: () => Date },
              finished_at: { required: true, type: () => Date, nullable: true },
              http_status: { required: true, type: () => Number, nullable: true },
              error: { required: true, type: () => String, nullable: true },
              duration_ms: { required: true, type: () => Number, nullable: true },
              source: { required: true, type: () => String, description: '`dispatcher`, `autoheal`, `operator`, \u2026' },
              actor: { required: true, type: () => String },
              outcome: { required: true, enum: ['failed', 'pending', 'succeeded', 'abandoned'] },
              replay_key: { required: true, type: () => String, nullable: true },
              cycle_id: { required: true, type: () => String, nullable: true },
            },
            DeliveryDetailDto: {
              attempt_history: {
                required: true,
                type: () => [t['./deliveries/dto/delivery-response.dto'].AttemptDto],
                description: 'Newest first.',
              },
            },
            ResendDto: {
              delivery_id: { required: true, type: () => String },
              tenant_id: { required: true, type: () => String },
              outcome: { required: true, enum: ['failed', 'delivered'] },
              http_status: { required: true, type: () => Number, nullable: true },
              error: { required: true, type: () => String, nullable: true },
              attempts: { required: true, type: () => Number, description: 'After this send.' },
              attempt_id: { required: true, type: () => String },
            },
          },
        ],
        [
          import('./deliveries/dto/list-deliveries.query'),
          {
            ListDeliveriesQuery: {
              tenant_id: { required: false, type: () => String },
              target: { required: false, type: () => String },
              status: { required: false, enum: ['failed', 'dead_letter', 'pending', 'delivered'] },
              since: { required: false, type: () => String },
              limit: { required: true, type: () => Number },
            },
          },
        ],
        [
          import('./dashboard/dto/activity-query.dto'),
          {
            ActivityQuery: {
              minutes: { required: true, type: () => Number, default: 60, minimum: 1, maximum: 1440 },
              bucket_seconds: { required: true, type: () => Number, default: 60, minimum: 10, maximum: 3600 },
            },
          },
        ],
        [
          import('./dashboard/dto/dashboard-response.dto'),
          {
            CallerPermissionsDto: {
              read_autoheal: {
                required: true,
                type: () => Boolean,
                description: 'Incidents, escalations, approvals, runs (admin, operator).',
              },
              operate: { required: true, type: () => Boolean, description: 'Acknowledge, approve, maintenance (admin, operator).' },
              controls: { required: true, type: () => Boolean, description: 'The kill switch and dry run (a platform-wide admin).' },
            },
            CallerDto: {
              subject: { required: true, type: () => String, description: "The token's `sub`." },
              roles: { required: true, type: () => [Object], enum: ['admin', 'operator', 'ingest', 'viewer'], isArray: true },
              tenants: {
                required: true,
                type: () => [String],
                nullable: true,
                description: 'The tenants the token is scoped to; null for a platform-wide token.',
              },
              may: { required: true, type: () => t['./dashboard/dto/dashboard-response.dto'].CallerPermissionsDto },
            },
            ActivityBucketDto: {
              at: { required: true, type: () => String, description: "The bucket's start (ISO 8601)." },
              failures: { required: true, type: () => Number },
              heals: { required: true, type: () => Number },
            },
            EndpointActivityDto: {
              tenant_id: { required: true, type: () => String },
              endpoint: { required: true, type: () => String },
              failures: { required: true, type: () => Number },
              heals: { required: true, type: () => Number },
              buckets: {
                required: true,
                type: () => [t['./dashboard/dto/dashboard-response.dto'].ActivityBucketDto],
                description: 'Every bucket of the window, oldest first, zeros included, so a chart needs no gaps filled.',
              },
            },
            ActivityDto: {
              since: { required: true, type: () => String, description: "The window's start (ISO 8601)." },
              until: { required: true, type: () => String, description: "The window's end: now (ISO 8601)." },
              bucket_seconds: { required: true, type: () => Number },
              endpoints: {
                required: true,
                type: () => [t['./dashboard/dto/dashboard-response.dto'].EndpointActivityDto],
                description: 'The busiest (failures + heals) first.',
              },
            },
          },
        ],
        [
          import('./controls/dto/controls-response.dto'),
          {
            ControlsOverrideDto: {
              autoheal_enabled: { required: true, type: () => Boolean, nullable: true },
              dry_run: { required: true, type: () => Boolean, nullable: true },
              reason: { required: true, type: () => String, nullable: true },
              updated_by: { required: true, type: () => String },
              updated_at: { required: true, type: () => Date },
            },
            EffectiveControlsDto: {
              autoheal_enabled: { required: true, type: () => Boolean, description: 'false: the kill switch is on.' },
              dry_run: { required: true, type: () => Boolean },
              reason: { required: true, type: () => String, nullable: true },
              override: { required: true, type: () => t['./controls/dto/controls-response.dto'].ControlsOverrideDto, nullable: true },
            },
          },
        ],
        [
          import('./controls/dto/set-controls.dto'),
          {
            SetControlsBody: {
              autoheal_enabled: {
                required: false,
                type: () => Boolean,
                nullable: true,
                description: 'false = kill switch on; null = back to the rules file.',
              },
              dry_run: { required: false, type: () => Boolean, nullable: true },
              reason: { required: false, type: () => String, maxLength: 500 },
            },
          },
        ],
        [
          import('./engine/dto/cycle-result-response.dto'),
          {
            IncidentSummaryDto: {
              tenant_id: { required: true, type: () => String },
              endpoint: { required: true, type: () => String },
              severity: { required: true, enum: ['low', 'medium', 'high', 'critical'] },
              failures: { required: true, type: () => Number },
              kind: { required: true, enum: ['failure_burst', 'sustained_outage', 'traffic_spike'] },
            },
            ActionTakenDto: {
              strategy: {
                required: true,
                enum: ['REPLAY_RECENT', 'DEFER_AND_MONITOR', 'ESCALATE_OPERATOR', 'RATE_LIMIT_SOURCE', 'SILENCE_DUPES', 'RECOVER_BACKLOG'],
              },
              probability: { required: true, type: () => Number },
              executed: { required: true, type: () => Boolean },
              dry_run: { required: false, type: () => Boolean },
              incident: { required: true, type: () => t['./engine/dto/cycle-result-response.dto'].IncidentSummaryDto },
              rationale: { required: true, type: () => String, description: 'Why the predictor chose this strategy.' },
              message: { required: false, type: () => String },
            },
            ActionSkippedDto: {
              incident: { required: true, type: () => t['./engine/dto/cycle-result-response.dto'].IncidentSummaryDto },
              strategy: {
                required: true,
                nullable: true,
                enum: ['REPLAY_RECENT', 'DEFER_AND_MONITOR', 'ESCALATE_OPERATOR', 'RATE_LIMIT_SOURCE', 'SILENCE_DUPES', 'RECOVER_BACKLOG'],
              },
              check: { required: true, type: () => String, description: 'Which safety check stopped it (see docs/runbook.md).' },
              reason: { required: true, type: () => String },
              probability: { required: false, type: () => Number },
            },
            CycleResultDto: {
              run_at: { required: true, type: () => String },
              incidents_detected: { required: true, type: () => Number },
              actions_taken: { required: true, type: () => [t['./engine/dto/cycle-result-response.dto'].ActionTakenDto] },
              actions_skipped: { required: true, type: () => [t['./engine/dto/cycle-result-response.dto'].ActionSkippedDto] },
              total_replays: { required: true, type: () => Number },
              total_escalations: { required: true, type: () => Number },
              total_deferrals: { required: true, type: () => Number },
              execution_time_ms: { required: true, type: () => Number },
              dry_run: { required: true, type: () => Boolean },
            },
            RecordedCycleDto: { status: { required: false, enum: ['running', 'interrupted'] } },
            HistoryEntryDto: {
              timestamp: { required: true, type: () => String },
              incident: { required: true, type: () => t['./engine/dto/cycle-result-response.dto'].IncidentSummaryDto, nullable: true },
              strategy: {
                required: true,
                nullable: true,
                enum: ['REPLAY_RECENT', 'DEFER_AND_MONITOR', 'ESCALATE_OPERATOR', 'RATE_LIMIT_SOURCE', 'SILENCE_DUPES', 'RECOVER_BACKLOG'],
              },
              result: { required: true, type: 'object', additionalProperties: true },
            },
          },
        ],
        [import('./cycle-history/dto/history-query.dto'), { HistoryQuery: {} }],
        [
          import('./escalation/dto/escalation-response.dto'),
          {
            EscalationDto: {
              id: { required: true, type: () => String },
              tenant_id: { required: true, type: () => String },
              endpoint: { required: true, type: () => String },
              priority: { required: true, enum: ['low', 'medium', 'high', 'critical'] },
              status: { required: true, enum: ['open', 'resolved', 'acknowledged'] },
              reason: { required: true, type: () => String },
              incident: {
                required: true,
                type: () => t['./anomalies/dto/anomaly-response.dto'].AnomalyDto,
                description: 'The latest incident that opened or bumped it.',
              },
              occurrences: { required: true, type: () => Number },
              created_at: { required: true, type: () => Date },
              last_seen_at: { required: true, type: () => Date },
              notified_at: { required: true, type: () => Date, nullable: true },
              acknowledged_by: { required: true, type: () => String, nullable: true },
              acknowledged_at: { required: true, type: () => Date, nullable: true },
              resolved_by: { required: true, type: () => String, nullable: true },
              resolved_at: { required: true, type: () => Date, nullable: true },
            },
          },
        ],
        [
          import('./escalation/dto/list-escalations.dto'),
          { ListEscalationsDto: { status: { required: false, enum: ['open', 'resolved', 'acknowledged'] } } },
        ],
        [
          import('./escalation/dto/list-silences.query'),
          { ListSilencesQuery: { status: { required: false, enum: ['expired', 'active'] } } },
        ],
        [
          import('./escalation/dto/silence-response.dto'),
          {
            SilenceDto: {
              id: { required: true, type: () => String },
              signature: { required: true, type: () => String },
              tenant_id: { required: true, type: () => String },
              created_at: { required: true, type: () => Date },
              ends_at: { required: true, type: () => Date },
              dedup_window_seconds: {
                required: true,
                type: () => Number,
                description: 'Pages from one endpoint this close together are one occurrence.',
              },
              max_occurrences: {
                required: true,
                type: () => Number,
                description: 'The occurrence that reaches it sends one escalation page.',
              },
              occurrences: { required: true, type: () => Number },
              suppressed: { required: true, type: () => Number },
              escalated_at: { required: true, type: () => Date, nullable: true },
              created_by: { required: true, type: () => String },
              comment: { required: true, type: () => String, nullable: true },
              incident_id: { required: true, type: () => String, nullable: true },
              expired_at: { required: true, type: () => Date, nullable: true, description: 'Ended early by an operator (DELETE).' },
              expired_by: { required: true, type: () => String, nullable: true },
              status: {
                required: true,
                description: '`active` until `ends_at` or an early DELETE, then `expired`.',
                enum: ['expired', 'active'],
              },
            },
            SilenceListDto: {
              silences: {
                required: true,
                type: () => [t['./escalation/dto/silence-response.dto'].SilenceDto],
                description: 'Newest first.',
              },
            },
          },
        ],
        [
          import('./maintenance/dto/maintenance-response.dto'),
          {
            MaintenanceWindowDto: {
              endpoint: { required: true, type: () => String },
              reason: { required: true, type: () => String, nullable: true },
              until: { required: true, type: () => Date },
              set_by: { required: true, type: () => String },
              created_at: { required: true, type: () => Date },
            },
          },
        ],
        [
          import('./maintenance/dto/set-maintenance.dto'),
          {
            SetMaintenanceBody: {
              endpoint: { required: true, type: () => String, maxLength: 2048 },
              minutes: { required: false, type: () => Number, description: 'Either how long \u2026', minimum: 1, maximum: 10080 },
              until: { required: false, type: () => String, description: '\u2026 or until when (ISO 8601).' },
              reason: { required: false, type: () => String, maxLength: 500 },
            },
          },
        ],
        [
          import('./recovery/dto/recoveries.dto'),
          {
            CreateRecoveryBody: {
              tenant_id: { required: true, type: () => String },
              endpoint: { required: false, type: () => String },
              since: { required: true, type: () => String },
              until: { required: false, type: () => String },
              statuses: {
                required: false,
                type: () => [Object],
                enum: ['failed', 'dead_letter', 'pending', 'delivered'],
                isArray: true,
                uniqueItems: true,
                minItems: 1,
              },
              triage_labels: { required: false, type: () => [String], uniqueItems: true, minItems: 1 },
              dry_run: { required: false, type: () => Boolean },
            },
            ListRecoveriesQuery: {
              tenant_id: { required: false, type: () => String },
              state: { required: false, enum: ['failed', 'running', 'completed', 'queued', 'cancelled'] },
            },
          },
        ],
        [
          import('./recovery/dto/recovery-response.dto'),
          {
            RecoveryDto: {
              id: { required: true, type: () => String },
              tenant_id: { required: true, type: () => String },
              endpoint: { required: true, type: () => String, nullable: true },
              since: { required: true, type: () => Date },
              until: { required: true, type: () => Date, nullable: true },
              statuses: { required: true, type: () => [Object], enum: ['failed', 'dead_letter', 'pending', 'delivered'], isArray: true },
              triage_labels: { required: true, type: () => [String], nullable: true },
              state: { required: true, enum: ['failed', 'running', 'completed', 'queued', 'cancelled'] },
              total: { required: true, type: () => Number, description: 'Deliveries the plan counted when the recovery was created.' },
              sent: { required: true, type: () => Number },
              delivered: { required: true, type: () => Number },
              failed: { required: true, type: () => Number },
              skipped: {
                required: true,
                type: () => Number,
                description: 'Not sent: claimed by someone else meanwhile, or the target was refused.',
              },
              remaining: { required: true, type: () => Number },
              paused_reason: {
                required: true,
                type: () => String,
                nullable: true,
                description: 'Why a running recovery is waiting (maintenance), null while it sends.',
              },
              created_by: { required: true, type: () => String },
              created_at: { required: true, type: () => Date },
              updated_at: { required: true, type: () => Date },
              started_at: { required: true, type: () => Date, nullable: true },
              finished_at: { required: true, type: () => Date, nullable: true },
              cancelled_by: { required: true, type: () => String, nullable: true },
              error: { required: true, type: () => String, nullable: true },
            },
            CreatedRecoveryDto: { estimated_duration_seconds: { required: true, type: () => Number } },
            RecoveryListDto: { recoveries: { required: true, type: () => [t['./recovery/dto/recovery-response.dto'].RecoveryDto] } },
            RecoveryPlanEndpointDto: {
              endpoint: { required: true, type: () => String },
              count: { required: true, type: () => Number },
              oldest_at: { required: true, type: () => Date },
              newest_at: { required: true, type: () => Date },
            },
            RecoveryPacingDto: {
              drain_rate_per_second: { required: true, type: () => Number },
              drain_concurrency: { required: true, type: () => Number },
            },
            RecoveryPlanDto: {
              dry_run: { required: true, type: () => Boolean },
              tenant_id: { required: true, type: () => String },
              endpoint: { required: true, type: () => String, nullable: true },
              per_endpoint: { required: true, type: () => [t['./recovery/dto/recovery-response.dto'].RecoveryPlanEndpointDto] },
              total: { required: true, type: () => Number },
              estimated_duration_seconds: { required: true, type: () => Number },
              pacing: { required: true, type: () => t['./recovery/dto/recovery-response.dto'].RecoveryPacingDto },
            },
          },
        ],
        [import('./engine/dto/run-cycle.dto'), { RunCycleQuery: { dry_run: { required: false, type: () => Boolean } } }],
        [
          import('./health/dto/health-response.dto'),
          {
            HealthReportDto: {
              status: { required: true, enum: ['error', 'ok', 'degraded', 'shutting_down'] },
              info: {
                required: false,
                type: 'object',
                additionalProperties: { type: 'object', additionalProperties: true },
                description: 'The checks that are up.',
              },
              error: {
                required: false,
                type: 'object',
                additionalProperties: { type: 'object', additionalProperties: true },
                description: 'The checks that are down.',
              },
              details: { required: true, type: 'object', additionalProperties: { type: 'object', additionalProperties: true } },
            },
            HealthDownReportDto: { request_id: { required: true, type: () => String } },
          },
        ],
        [
          import('./openapi/api-error.dto'),
          {
            ApiErrorBody: {
              statusCode: { required: true, type: () => Number, description: 'The HTTP status, repeated.' },
              error: {
                required: true,
                type: () => String,
                description: 'A snake_case code: `bad_request`, `not_found`, `tenant_forbidden`, `database_unavailable`, \u2026',
              },
              message: {
                required: true,
                type: () => String,
                description: 'What went wrong; a 400 names each bad field (`limit: limit must be an integer between 1 and 1000`).',
              },
              request_id: {
                required: true,
                type: () => String,
                description: 'The `x-request-id` of the request: quote it when reporting a problem.',
              },
            },
          },
        ],
      ],
      controllers: [
        [
          import('./anomalies/anomalies.controller'),
          { AnomaliesController: { current: { type: t['./anomalies/dto/anomaly-response.dto'].CurrentAnomaliesDto } } },
        ],
        [
          import('./audit/audit.controller'),
          { AuditController: { list: { summary: 'Newest first.', type: [t['./audit/dto/audit-entry-response.dto'].AuditEntryDto] } } },
        ],
        [
          import('./incidents/incidents.controller'),
          {
            IncidentsController: {
              list: { type: t['./incidents/dto/incident-response.dto'].IncidentListDto },
              get: { type: t['./incidents/dto/incident-response.dto'].IncidentDetailDto },
              resolve: { type: t['./incidents/dto/incident-response.dto'].IncidentDto },
            },
          },
        ],
        [
          import('./incidents/approvals.controller'),
          {
            ApprovalsController: {
              list: { type: t['./incidents/dto/incident-response.dto'].ApprovalListDto },
              approve: { type: t['./incidents/dto/incident-response.dto'].ApprovalDecisionDto },
              reject: { type: t['./incidents/dto/incident-response.dto'].ApprovalDecisionDto },
            },
          },
        ],
        [
          import('./signing/signing.controller'),
          {
            SigningController: {
              put: { type: t['./signing/dto/signing-response.dto'].SigningSettingsDto },
              list: { type: t['./signing/dto/signing-response.dto'].SigningSettingsListDto },
              delete: {},
              reencrypt: {
                summary: 'After a new key is put first in SIGNING_KEYS: moves every secret under it, so the old key ' + 'can be removed.',
                type: t['./signing/dto/signing-response.dto'].ReencryptResultDto,
              },
            },
          },
        ],
        [
          import('./throttles/throttles.controller'),
          {
            ThrottlesController: {
              list: { type: t['./throttles/dto/throttle-response.dto'].ThrottleListDto },
              get: {
                summary: 'An unthrottled tenant answers factor 1 (send as usual), so a dispatcher can poll it ' + 'without a 404 path.',
                type: t['./throttles/dto/throttle-response.dto'].TenantThrottleDto,
              },
              lift: {},
            },
          },
        ],
        [
          import('./deliveries/deliveries.controller'),
          {
            DeliveriesController: {
              record: {
                summary:
                  'The dispatcher reports 1..1000 outcomes; re-posting an id updates it. A scoped token ' +
                  'writes only its tenants.\nFailures that cross the outage signal open their incident right ' +
                  'away (never failing the ingest).',
                type: t['./deliveries/dto/delivery-response.dto'].UpsertResultDto,
              },
              list: { type: [t['./deliveries/dto/delivery-response.dto'].DeliveryDto] },
              get: { type: t['./deliveries/dto/delivery-response.dto'].DeliveryDetailDto },
              replay: {
                summary: 'Sends one failed, dead-lettered or abandoned delivery again now; 409 while a send of it is ' + 'in flight.',
                type: t['./deliveries/dto/delivery-response.dto'].ResendDto,
              },
            },
          },
        ],
        [
          import('./dashboard/dashboard-api.controller'),
          {
            DashboardApiController: {
              me: {
                summary: 'Who the token is and what it may do; every role may ask.',
                type: t['./dashboard/dto/dashboard-response.dto'].CallerDto,
              },
              activity: {
                summary:
                  'Failures against heals per endpoint, over the last `minutes` (the viewer reads deliveries, ' +
                  'so it may read this too).',
                type: t['./dashboard/dto/dashboard-response.dto'].ActivityDto,
              },
            },
          },
        ],
        [
          import('./dashboard/dashboard.controller'),
          { DashboardController: { page: { type: String }, script: { type: String }, style: { type: String } } },
        ],
        [
          import('./controls/controls.controller'),
          {
            ControlsController: {
              getControls: { type: t['./controls/dto/controls-response.dto'].EffectiveControlsDto },
              setControls: {
                summary: '`{"autoheal_enabled": false, "reason": "..."}`',
                type: t['./controls/dto/controls-response.dto'].EffectiveControlsDto,
              },
            },
          },
        ],
        [
          import('./cycle-history/cycle-history.controller'),
          {
            CycleHistoryController: {
              last: {
                summary: "For a scoped token: the last cycle with only its tenants' actions.",
                type: t['./engine/dto/cycle-result-response.dto'].RecordedCycleDto,
              },
              historyEntries: {
                summary: "For a scoped token: its tenants' actions, and the lines of cycles that found nothing.",
                type: [t['./engine/dto/cycle-result-response.dto'].HistoryEntryDto],
              },
            },
          },
        ],
        [
          import('./escalation/escalation.controller'),
          {
            EscalationController: {
              list: { type: [t['./escalation/dto/escalation-response.dto'].EscalationDto] },
              acknowledge: { type: t['./escalation/dto/escalation-response.dto'].EscalationDto },
              resolve: { type: t['./escalation/dto/escalation-response.dto'].EscalationDto },
            },
          },
        ],
        [import('./metrics/metrics.controller'), { MetricsController: { scrape: { type: String } } }],
        [
          import('./escalation/silences.controller'),
          { SilencesController: { list: { type: t['./escalation/dto/silence-response.dto'].SilenceListDto }, expire: {} } },
        ],
        [
          import('./maintenance/maintenance.controller'),
          {
            MaintenanceController: {
              list: { type: [t['./maintenance/dto/maintenance-response.dto'].MaintenanceWindowDto] },
              set: { type: t['./maintenance/dto/maintenance-response.dto'].MaintenanceWindowDto },
              clear: {},
            },
          },
        ],
        [
          import('./recovery/recoveries.controller'),
          {
            RecoveriesController: {
              create: {
                summary: '`dry_run: true` answers the plan (200) and sends nothing; otherwise 202 with the queued recovery.',
                type: Object,
              },
              list: { type: t['./recovery/dto/recovery-response.dto'].RecoveryListDto },
              get: { type: t['./recovery/dto/recovery-response.dto'].RecoveryDto },
              cancel: { type: t['./recovery/dto/recovery-response.dto'].RecoveryDto },
            },
          },
        ],
        [
          import('./engine/autoheal.controller'),
          {
            AutohealController: {
              run: { type: t['./engine/dto/cycle-result-response.dto'].CycleResultDto },
              clearCooldown: { summary: '`{endpoint}` may be URL-encoded or raw (`/autoheal/cooldown/https://api.example.com/webhook`).' },
              config: {},
            },
          },
        ],
        [
          import('./health/health.controller'),
          { HealthController: { check: { summary: 'Coordination problems are reported, not fatal.', type: Object } } },
        ],
      ],
    },
  };
};
