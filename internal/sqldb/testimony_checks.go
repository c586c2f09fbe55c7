package sqldb

// Checks IntegrityCheck runs on the testimony tables: every testimony
// and identity has its data key, and no data key outlives its record
// (a key left behind would mean a deletion did not shred).
func init() {
	orphanChecks["testimonies.data_key"] = `SELECT count(*) FROM testimonies t WHERE NOT EXISTS
		(SELECT 1 FROM data_keys k WHERE k.record_type = 'testimony' AND k.record_id = t.id)`
	orphanChecks["testimony_identities.data_key"] = `SELECT count(*) FROM testimony_identities i WHERE NOT EXISTS
		(SELECT 1 FROM data_keys k WHERE k.record_type = 'testimony_identity' AND k.record_id = i.testimony_id)`
	orphanChecks["data_keys.record"] = `SELECT count(*) FROM data_keys k WHERE
		(k.record_type = 'testimony' AND NOT EXISTS (SELECT 1 FROM testimonies t WHERE t.id = k.record_id)) OR
		(k.record_type = 'testimony_identity' AND NOT EXISTS (SELECT 1 FROM testimony_identities i WHERE i.testimony_id = k.record_id))`
	orphanChecks["record_readers.testimony"] = `SELECT count(*) FROM record_readers r WHERE r.record_type = 'testimony' AND NOT EXISTS
		(SELECT 1 FROM testimonies t WHERE t.id = r.record_id)`
}
