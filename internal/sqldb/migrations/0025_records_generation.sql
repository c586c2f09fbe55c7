-- The records generation: one counter, raised by the database itself in
-- the transaction of every change to the records the pages list (the
-- interventions and their parts, sources and citations, actors, the
-- ledger, briefs, translations, organisations and who reads what), by a
-- web form, the API, the command line or a job alike. A page that keeps
-- what it read of them (internal/web/records_cache.go) trusts it while
-- this number stays the same, in every process sharing the database.
-- Tables written in bulk by imports (events and their aggregates, places,
-- aid and arms) are followed by the import generation instead, and those
-- no kept page reads (sessions, jobs, audit, testimony) by nothing; the
-- test of this migration names every table one way or the other.
CREATE TABLE records_generation (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    n {{bigint}} NOT NULL
);
INSERT INTO records_generation (id, n) VALUES (1, 0);
--@ sqlite
-- One UPDATE of one row per changed row: SQLite has one writer at a time,
-- so the row lock costs nothing.
CREATE TRIGGER actor_aliases_records_insert AFTER INSERT ON actor_aliases BEGIN UPDATE records_generation SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER actor_aliases_records_update AFTER UPDATE ON actor_aliases BEGIN UPDATE records_generation SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER actor_aliases_records_delete AFTER DELETE ON actor_aliases BEGIN UPDATE records_generation SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER actor_external_ids_records_insert AFTER INSERT ON actor_external_ids BEGIN UPDATE records_generation SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER actor_external_ids_records_update AFTER UPDATE ON actor_external_ids BEGIN UPDATE records_generation SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER actor_external_ids_records_delete AFTER DELETE ON actor_external_ids BEGIN UPDATE records_generation SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER actor_merges_records_insert AFTER INSERT ON actor_merges BEGIN UPDATE records_generation SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER actor_merges_records_update AFTER UPDATE ON actor_merges BEGIN UPDATE records_generation SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER actor_merges_records_delete AFTER DELETE ON actor_merges BEGIN UPDATE records_generation SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER actor_relations_records_insert AFTER INSERT ON actor_relations BEGIN UPDATE records_generation SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER actor_relations_records_update AFTER UPDATE ON actor_relations BEGIN UPDATE records_generation SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER actor_relations_records_delete AFTER DELETE ON actor_relations BEGIN UPDATE records_generation SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER actors_records_insert AFTER INSERT ON actors BEGIN UPDATE records_generation SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER actors_records_update AFTER UPDATE ON actors BEGIN UPDATE records_generation SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER actors_records_delete AFTER DELETE ON actors BEGIN UPDATE records_generation SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER brief_steps_records_insert AFTER INSERT ON brief_steps BEGIN UPDATE records_generation SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER brief_steps_records_update AFTER UPDATE ON brief_steps BEGIN UPDATE records_generation SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER brief_steps_records_delete AFTER DELETE ON brief_steps BEGIN UPDATE records_generation SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER briefs_records_insert AFTER INSERT ON briefs BEGIN UPDATE records_generation SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER briefs_records_update AFTER UPDATE ON briefs BEGIN UPDATE records_generation SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER briefs_records_delete AFTER DELETE ON briefs BEGIN UPDATE records_generation SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER citations_records_insert AFTER INSERT ON citations BEGIN UPDATE records_generation SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER citations_records_update AFTER UPDATE ON citations BEGIN UPDATE records_generation SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER citations_records_delete AFTER DELETE ON citations BEGIN UPDATE records_generation SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER claim_evidence_records_insert AFTER INSERT ON claim_evidence BEGIN UPDATE records_generation SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER claim_evidence_records_update AFTER UPDATE ON claim_evidence BEGIN UPDATE records_generation SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER claim_evidence_records_delete AFTER DELETE ON claim_evidence BEGIN UPDATE records_generation SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER claim_interventions_records_insert AFTER INSERT ON claim_interventions BEGIN UPDATE records_generation SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER claim_interventions_records_update AFTER UPDATE ON claim_interventions BEGIN UPDATE records_generation SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER claim_interventions_records_delete AFTER DELETE ON claim_interventions BEGIN UPDATE records_generation SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER claims_records_insert AFTER INSERT ON claims BEGIN UPDATE records_generation SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER claims_records_update AFTER UPDATE ON claims BEGIN UPDATE records_generation SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER claims_records_delete AFTER DELETE ON claims BEGIN UPDATE records_generation SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER decision_actors_records_insert AFTER INSERT ON decision_actors BEGIN UPDATE records_generation SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER decision_actors_records_update AFTER UPDATE ON decision_actors BEGIN UPDATE records_generation SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER decision_actors_records_delete AFTER DELETE ON decision_actors BEGIN UPDATE records_generation SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER decision_interventions_records_insert AFTER INSERT ON decision_interventions BEGIN UPDATE records_generation SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER decision_interventions_records_update AFTER UPDATE ON decision_interventions BEGIN UPDATE records_generation SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER decision_interventions_records_delete AFTER DELETE ON decision_interventions BEGIN UPDATE records_generation SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER decisions_records_insert AFTER INSERT ON decisions BEGIN UPDATE records_generation SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER decisions_records_update AFTER UPDATE ON decisions BEGIN UPDATE records_generation SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER decisions_records_delete AFTER DELETE ON decisions BEGIN UPDATE records_generation SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER inquiries_records_insert AFTER INSERT ON inquiries BEGIN UPDATE records_generation SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER inquiries_records_update AFTER UPDATE ON inquiries BEGIN UPDATE records_generation SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER inquiries_records_delete AFTER DELETE ON inquiries BEGIN UPDATE records_generation SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER inquiry_findings_records_insert AFTER INSERT ON inquiry_findings BEGIN UPDATE records_generation SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER inquiry_findings_records_update AFTER UPDATE ON inquiry_findings BEGIN UPDATE records_generation SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER inquiry_findings_records_delete AFTER DELETE ON inquiry_findings BEGIN UPDATE records_generation SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER inquiry_interventions_records_insert AFTER INSERT ON inquiry_interventions BEGIN UPDATE records_generation SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER inquiry_interventions_records_update AFTER UPDATE ON inquiry_interventions BEGIN UPDATE records_generation SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER inquiry_interventions_records_delete AFTER DELETE ON inquiry_interventions BEGIN UPDATE records_generation SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER inquiry_subjects_records_insert AFTER INSERT ON inquiry_subjects BEGIN UPDATE records_generation SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER inquiry_subjects_records_update AFTER UPDATE ON inquiry_subjects BEGIN UPDATE records_generation SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER inquiry_subjects_records_delete AFTER DELETE ON inquiry_subjects BEGIN UPDATE records_generation SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER intervention_actor_aliases_records_insert AFTER INSERT ON intervention_actor_aliases BEGIN UPDATE records_generation SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER intervention_actor_aliases_records_update AFTER UPDATE ON intervention_actor_aliases BEGIN UPDATE records_generation SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER intervention_actor_aliases_records_delete AFTER DELETE ON intervention_actor_aliases BEGIN UPDATE records_generation SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER intervention_actors_records_insert AFTER INSERT ON intervention_actors BEGIN UPDATE records_generation SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER intervention_actors_records_update AFTER UPDATE ON intervention_actors BEGIN UPDATE records_generation SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER intervention_actors_records_delete AFTER DELETE ON intervention_actors BEGIN UPDATE records_generation SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER intervention_areas_records_insert AFTER INSERT ON intervention_areas BEGIN UPDATE records_generation SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER intervention_areas_records_update AFTER UPDATE ON intervention_areas BEGIN UPDATE records_generation SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER intervention_areas_records_delete AFTER DELETE ON intervention_areas BEGIN UPDATE records_generation SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER intervention_phases_records_insert AFTER INSERT ON intervention_phases BEGIN UPDATE records_generation SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER intervention_phases_records_update AFTER UPDATE ON intervention_phases BEGIN UPDATE records_generation SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER intervention_phases_records_delete AFTER DELETE ON intervention_phases BEGIN UPDATE records_generation SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER interventions_records_insert AFTER INSERT ON interventions BEGIN UPDATE records_generation SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER interventions_records_update AFTER UPDATE ON interventions BEGIN UPDATE records_generation SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER interventions_records_delete AFTER DELETE ON interventions BEGIN UPDATE records_generation SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER org_partners_records_insert AFTER INSERT ON org_partners BEGIN UPDATE records_generation SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER org_partners_records_update AFTER UPDATE ON org_partners BEGIN UPDATE records_generation SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER org_partners_records_delete AFTER DELETE ON org_partners BEGIN UPDATE records_generation SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER organisations_records_insert AFTER INSERT ON organisations BEGIN UPDATE records_generation SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER organisations_records_update AFTER UPDATE ON organisations BEGIN UPDATE records_generation SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER organisations_records_delete AFTER DELETE ON organisations BEGIN UPDATE records_generation SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER recommendation_recurrences_records_insert AFTER INSERT ON recommendation_recurrences BEGIN UPDATE records_generation SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER recommendation_recurrences_records_update AFTER UPDATE ON recommendation_recurrences BEGIN UPDATE records_generation SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER recommendation_recurrences_records_delete AFTER DELETE ON recommendation_recurrences BEGIN UPDATE records_generation SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER recommendation_status_records_insert AFTER INSERT ON recommendation_status BEGIN UPDATE records_generation SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER recommendation_status_records_update AFTER UPDATE ON recommendation_status BEGIN UPDATE records_generation SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER recommendation_status_records_delete AFTER DELETE ON recommendation_status BEGIN UPDATE records_generation SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER recommendations_records_insert AFTER INSERT ON recommendations BEGIN UPDATE records_generation SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER recommendations_records_update AFTER UPDATE ON recommendations BEGIN UPDATE records_generation SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER recommendations_records_delete AFTER DELETE ON recommendations BEGIN UPDATE records_generation SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER record_languages_records_insert AFTER INSERT ON record_languages BEGIN UPDATE records_generation SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER record_languages_records_update AFTER UPDATE ON record_languages BEGIN UPDATE records_generation SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER record_languages_records_delete AFTER DELETE ON record_languages BEGIN UPDATE records_generation SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER record_readers_records_insert AFTER INSERT ON record_readers BEGIN UPDATE records_generation SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER record_readers_records_update AFTER UPDATE ON record_readers BEGIN UPDATE records_generation SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER record_readers_records_delete AFTER DELETE ON record_readers BEGIN UPDATE records_generation SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER site_settings_records_insert AFTER INSERT ON site_settings BEGIN UPDATE records_generation SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER site_settings_records_update AFTER UPDATE ON site_settings BEGIN UPDATE records_generation SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER site_settings_records_delete AFTER DELETE ON site_settings BEGIN UPDATE records_generation SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER sources_records_insert AFTER INSERT ON sources BEGIN UPDATE records_generation SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER sources_records_update AFTER UPDATE ON sources BEGIN UPDATE records_generation SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER sources_records_delete AFTER DELETE ON sources BEGIN UPDATE records_generation SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER translations_records_insert AFTER INSERT ON translations BEGIN UPDATE records_generation SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER translations_records_update AFTER UPDATE ON translations BEGIN UPDATE records_generation SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER translations_records_delete AFTER DELETE ON translations BEGIN UPDATE records_generation SET n = n + 1 WHERE id = 1; END;
--@ postgres
-- Deferred to the commit, once per transaction: the row stays unlocked
-- while the transaction runs (an import writing actors for minutes would
-- otherwise hold every other writer of records behind it), and the new
-- number becomes visible with the change, never before it.
CREATE FUNCTION records_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF current_setting('aftermath.records_changed', true) IS DISTINCT FROM 'yes' THEN
		UPDATE records_generation SET n = n + 1 WHERE id = 1;
		PERFORM set_config('aftermath.records_changed', 'yes', true);
	END IF;
	RETURN NULL;
END
$$;
CREATE CONSTRAINT TRIGGER actor_aliases_records AFTER INSERT OR UPDATE OR DELETE ON actor_aliases DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION records_changed();
CREATE CONSTRAINT TRIGGER actor_external_ids_records AFTER INSERT OR UPDATE OR DELETE ON actor_external_ids DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION records_changed();
CREATE CONSTRAINT TRIGGER actor_merges_records AFTER INSERT OR UPDATE OR DELETE ON actor_merges DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION records_changed();
CREATE CONSTRAINT TRIGGER actor_relations_records AFTER INSERT OR UPDATE OR DELETE ON actor_relations DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION records_changed();
CREATE CONSTRAINT TRIGGER actors_records AFTER INSERT OR UPDATE OR DELETE ON actors DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION records_changed();
CREATE CONSTRAINT TRIGGER brief_steps_records AFTER INSERT OR UPDATE OR DELETE ON brief_steps DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION records_changed();
CREATE CONSTRAINT TRIGGER briefs_records AFTER INSERT OR UPDATE OR DELETE ON briefs DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION records_changed();
CREATE CONSTRAINT TRIGGER citations_records AFTER INSERT OR UPDATE OR DELETE ON citations DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION records_changed();
CREATE CONSTRAINT TRIGGER claim_evidence_records AFTER INSERT OR UPDATE OR DELETE ON claim_evidence DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION records_changed();
CREATE CONSTRAINT TRIGGER claim_interventions_records AFTER INSERT OR UPDATE OR DELETE ON claim_interventions DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION records_changed();
CREATE CONSTRAINT TRIGGER claims_records AFTER INSERT OR UPDATE OR DELETE ON claims DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION records_changed();
CREATE CONSTRAINT TRIGGER decision_actors_records AFTER INSERT OR UPDATE OR DELETE ON decision_actors DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION records_changed();
CREATE CONSTRAINT TRIGGER decision_interventions_records AFTER INSERT OR UPDATE OR DELETE ON decision_interventions DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION records_changed();
CREATE CONSTRAINT TRIGGER decisions_records AFTER INSERT OR UPDATE OR DELETE ON decisions DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION records_changed();
CREATE CONSTRAINT TRIGGER inquiries_records AFTER INSERT OR UPDATE OR DELETE ON inquiries DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION records_changed();
CREATE CONSTRAINT TRIGGER inquiry_findings_records AFTER INSERT OR UPDATE OR DELETE ON inquiry_findings DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION records_changed();
CREATE CONSTRAINT TRIGGER inquiry_interventions_records AFTER INSERT OR UPDATE OR DELETE ON inquiry_interventions DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION records_changed();
CREATE CONSTRAINT TRIGGER inquiry_subjects_records AFTER INSERT OR UPDATE OR DELETE ON inquiry_subjects DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION records_changed();
CREATE CONSTRAINT TRIGGER intervention_actor_aliases_records AFTER INSERT OR UPDATE OR DELETE ON intervention_actor_aliases DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION records_changed();
CREATE CONSTRAINT TRIGGER intervention_actors_records AFTER INSERT OR UPDATE OR DELETE ON intervention_actors DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION records_changed();
CREATE CONSTRAINT TRIGGER intervention_areas_records AFTER INSERT OR UPDATE OR DELETE ON intervention_areas DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION records_changed();
CREATE CONSTRAINT TRIGGER intervention_phases_records AFTER INSERT OR UPDATE OR DELETE ON intervention_phases DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION records_changed();
CREATE CONSTRAINT TRIGGER interventions_records AFTER INSERT OR UPDATE OR DELETE ON interventions DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION records_changed();
CREATE CONSTRAINT TRIGGER org_partners_records AFTER INSERT OR UPDATE OR DELETE ON org_partners DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION records_changed();
CREATE CONSTRAINT TRIGGER organisations_records AFTER INSERT OR UPDATE OR DELETE ON organisations DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION records_changed();
CREATE CONSTRAINT TRIGGER recommendation_recurrences_records AFTER INSERT OR UPDATE OR DELETE ON recommendation_recurrences DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION records_changed();
CREATE CONSTRAINT TRIGGER recommendation_status_records AFTER INSERT OR UPDATE OR DELETE ON recommendation_status DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION records_changed();
CREATE CONSTRAINT TRIGGER recommendations_records AFTER INSERT OR UPDATE OR DELETE ON recommendations DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION records_changed();
CREATE CONSTRAINT TRIGGER record_languages_records AFTER INSERT OR UPDATE OR DELETE ON record_languages DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION records_changed();
CREATE CONSTRAINT TRIGGER record_readers_records AFTER INSERT OR UPDATE OR DELETE ON record_readers DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION records_changed();
CREATE CONSTRAINT TRIGGER site_settings_records AFTER INSERT OR UPDATE OR DELETE ON site_settings DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION records_changed();
CREATE CONSTRAINT TRIGGER sources_records AFTER INSERT OR UPDATE OR DELETE ON sources DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION records_changed();
CREATE CONSTRAINT TRIGGER translations_records AFTER INSERT OR UPDATE OR DELETE ON translations DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION records_changed();
--@ end
