/**
 * The tables and columns each job's form makes it read, as capability needs (see contract/capability.ts): the
 * runner disables a job's cell when the open data lack one, with a sentence naming the column, what to add to the
 * log and which form field maps it. Roles a job can do without (mapped to none) are not needs.
 */
import { quotedIdents, type CellNeed } from '../contract/capability.ts';
import { ROLE_FIELDS, roleColumn, rotationSource, type ColumnMap, type ColumnRole } from './columns.ts';
import { formKindOf, type FormKinds, type JobId } from './jobs.ts';
import type { SetDefinition } from './replay-mix.ts';

/** The need for the column a role is mapped to (none when unmapped). */
export function roleNeed(c: ColumnMap, role: ColumnRole): CellNeed[] {
  const column = roleColumn(c, role);
  if (column === null) return [];
  const { field, what } = ROLE_FIELDS[role];
  if (role === 'outcome') {
    // Outcomes must also have values: the canonical episodes always carry an (empty) outcome column for reviews.
    return [{ table: c.table, columns: [column], values: true, message: `No episode of \`${c.table}\` has an outcome in \`${column}\` (${what}): open a deployment log with \`episode_id,outcome\` (see Log format), pick an outcome in the catalog's outcome picker (a per-frame success column such as \`next.success\`, or a SQL rule), or map the column in the form (${field}).` }];
  }
  return [{ table: c.table, columns: [column], message: `\`${c.table}\` has no column \`${column}\` (${what}): add it to the deployment log (see Log format), or map the column that holds it in the form (${field}).` }];
}

/**
 * A need that is never met, for a role the job cannot do without but the form leaves unmapped (a fitted form maps
 * only columns the data have): its column is a name no table can have, so the check always shows the message.
 */
export function unmappedNeed(table: string, message: string): CellNeed {
  return { table, columns: ['\u0000unmapped'], message };
}

/**
 * What the rotation needs: the rotation column, or the policy-version or timestamp column it is derived from. When
 * `required` and there is none, the sentence says what to add (a rotation, policy_version or timestamp column).
 */
export function rotationNeeds(c: ColumnMap, required: boolean): CellNeed[] {
  const source = rotationSource(c);
  if (source === null) {
    return required
      ? [unmappedNeed(c.table, `This job compares rotations, and no rotation is mapped: add \`rotation\` to the deployment log, or a \`policy_version\` (each version is one rotation) or \`timestamp\` (one rotation per ISO week) and set "rotation from" in the form's Columns (rotationFrom).`)]
      : [];
  }
  if (source.from === 'column') return roleNeed(c, 'rotation');
  const role: ColumnRole = source.from === 'policy' ? 'policy' : 'timestamp';
  return [{ table: c.table, columns: [source.column], message: `The rotation is derived from \`${source.column}\` (${ROLE_FIELDS[role].what}), which \`${c.table}\` does not have: add it to the deployment log, or set "rotation from" in the form's Columns (rotationFrom).` }];
}

/** Whether a form's SQL condition selects nothing by construction (a fitted form's "none of the data say"). */
function isNone(condition: string): boolean {
  return condition.trim().toLowerCase() === 'false';
}

/** Needs of the columns a SQL condition of a form names (`"tags" LIKE …`). */
function conditionNeeds(table: string, label: string, condition: string | null | undefined): CellNeed[] {
  if (!condition) return [];
  return quotedIdents(condition).map((column) => ({
    table,
    columns: [column],
    message: `The condition "${label}" names \`${column}\`, which \`${table}\` does not have: add it to the log, or edit the condition in the form.`,
  }));
}

function columnNeed(table: string, column: string | null, label: string): CellNeed[] {
  if (column === null) return [];
  return [{ table, columns: [column], message: `\`${table}\` has no column \`${column}\` (${label}): map the one that holds it in the form.` }];
}

function setNeeds(c: ColumnMap, s: SetDefinition): CellNeed[] {
  switch (s.kind) {
    case 'tag':
      return c.tagColumn === null
        ? [unmappedNeed(c.table, `The set "${s.name}" selects by the tag \`${s.tag}\`, but no tag column is mapped: add \`tags\` to the log (\`;\`-separated, see Log format) and map it (tagColumn), or choose the set by failure mode or a condition.`)]
        : [{ ...roleNeed(c, 'tags')[0], message: `The set "${s.name}" selects by the tag \`${s.tag}\`, but \`${c.table}\` has no column \`${c.tagColumn}\`: add \`tags\` to the log (\`;\`-separated, see Log format), or choose the set by failure mode or a condition.` }];
    case 'failure_mode':
      return c.failureColumn === null
        ? [unmappedNeed(c.table, `The set "${s.name}" selects failure mode \`${s.mode}\`, but no failure category is mapped: add \`failure_category\` to the log (see Log format), map it (failureColumn), or choose the set by a condition.`)]
        : roleNeed(c, 'failure');
    case 'condition':
      return columnNeed(c.table, s.column, `the condition of set "${s.name}"`);
    case 'where':
      // A set chosen by outcome (the fitted "failed" set) needs outcome values, not just the column.
      return [...conditionNeeds(c.table, `${s.name}`, s.where), ...(quotedIdents(s.where).includes(c.outcomeColumn) ? roleNeed(c, 'outcome') : [])];
    case 'all':
      return [];
  }
}

/** What the job's SQL reads from the open data, given its form. */
export function jobNeeds(job: JobId, form: unknown): CellNeed[] {
  const kind = formKindOf(job);
  switch (kind) {
    case 'failure-mining': {
      const f = form as FormKinds['failure-mining'];
      return [...roleNeed(f.columns, 'outcome'), ...(f.groupBy === 'rotation' ? rotationNeeds(f.columns, false) : roleNeed(f.columns, 'policy'))];
    }
    case 'red-flags': {
      const f = form as FormKinds['red-flags'];
      return [...roleNeed(f.columns, 'outcome'), ...rotationNeeds(f.columns, true)];
    }
    case 'cost-model': {
      const f = form as FormKinds['cost-model'];
      const sheet: CellNeed[] = f.costSheet === null ? [] : [{ table: f.costSheet.table, message: `There is no cost sheet (table \`${f.costSheet.table}\`): open the dataset with \`&costs=<CSV>\`, or set "Cost from" to the model (a per-episode \`cost_usd\` column is used where the log has one).` }];
      return [...roleNeed(f.columns, 'outcome'), ...rotationNeeds(f.columns, true), ...sheet, ...columnNeed(f.columns.table, f.perEpisodeCostColumn, 'the per-episode cost')];
    }
    case 'replay-mix': {
      const f = form as FormKinds['replay-mix'];
      return [
        ...setNeeds(f.columns, f.baseline),
        ...f.targeted.flatMap((s) => setNeeds(f.columns, s)),
        ...f.columns.conditionColumns.flatMap((c) => columnNeed(f.columns.table, c, 'a condition column to preview')),
      ];
    }
    case 'quality-gate': {
      const f = form as FormKinds['quality-gate'];
      return [
        { table: f.framesTable, columns: [f.stateColumn], message: `\`${f.framesTable}\` has no column \`${f.stateColumn}\`: set the state column in the form to the dataset's per-frame state vector.` },
        ...conditionNeeds(f.episodesTable, 'gate episodes where', f.gate),
        ...conditionNeeds(f.episodesTable, 're-approach allowed where', f.reApproachExempt),
      ];
    }
    case 'drift-watch': {
      const f = form as FormKinds['drift-watch'];
      return [
        ...conditionNeeds(f.episodesTable, 'calibration episodes where', f.calibration),
        f.timestampColumn === null
          ? unmappedNeed(f.episodesTable, `\`${f.episodesTable}\` has no time column, so there are no weeks to compare: add \`timestamp\` to the deployment log (see Log format), and set the episode time column in the form (timestampColumn).`)
          : { table: f.episodesTable, columns: [f.timestampColumn], message: `\`${f.episodesTable}\` has no column \`${f.timestampColumn}\`, so there are no weeks to compare: add \`timestamp\` to the log, or set the episode time column in the form.` },
        ...(isNone(f.calibration) ? [unmappedNeed(f.episodesTable, 'No episode can be told to be a calibration (a reference-pose run): tag those runs `calibration` in the log\'s `tags` column (see Log format), or write the calibration condition in the form.')] : []),
        { table: f.framesTable, columns: [f.commandedColumn, f.measuredColumn], message: `\`${f.framesTable}\` needs the commanded (\`${f.commandedColumn}\`) and measured (\`${f.measuredColumn}\`) vectors: set both columns in the form.` },
        ...conditionNeeds(f.episodesTable, 'deployments where', f.deployments),
      ];
    }
    case 'review-sampling': {
      const f = form as FormKinds['review-sampling'];
      return [
        ...conditionNeeds(f.episodesTable, 'auto-collected episodes where', f.pool),
        ...f.strata.flatMap((s) => columnNeed(f.episodesTable, s, 'a stratum')),
        { table: f.predictedTable, columns: [f.idColumn, f.predictedColumn], message: `The auto-labeller's outcomes are read from \`${f.predictedTable}\` (\`${f.idColumn}\`, \`${f.predictedColumn}\`): open the dataset with its deployment log (\`&log=\`), or set the auto-labeller table in the form.` },
      ];
    }
    case 'agreement': {
      const f = form as FormKinds['agreement'];
      return [{ table: f.table, columns: [f.annotatorColumn, f.episodeColumn, f.labelColumn], message: `\`${f.table}\` needs the columns \`${f.annotatorColumn}\`, \`${f.episodeColumn}\` and \`${f.labelColumn}\`: set them in the form.` }];
    }
  }
}
