import type { Queryable } from '../db/index.js'

/** One row of the audit log: who did what to which entity, with the state before and after. */
export async function audit(
  db: Queryable,
  e: { userId: number | null; action: string; entity: string; entityId: string | number | null; before?: unknown; after?: unknown },
): Promise<void> {
  await db.query('INSERT INTO audit_log (user_id, action, entity, entity_id, before, after) VALUES ($1, $2, $3, $4, $5, $6)', [
    e.userId,
    e.action,
    e.entity,
    e.entityId === null ? null : String(e.entityId),
    e.before === undefined ? null : JSON.stringify(e.before),
    e.after === undefined ? null : JSON.stringify(e.after),
  ])
}
