-- Sets destinations_version (one row, id 1) to a new random value whenever what a push plans deliveries from
-- changes: a destination created or deleted, or its filter, sources or enabled flag changed. Pushes cache the
-- destinations per isolate and check this version in their write batch. Random rather than a counter, so a
-- database restored to an earlier state (D1 Time Travel) never repeats a version an isolate cached since.
INSERT INTO destinations_version (id, version) VALUES (1, 0) ON CONFLICT DO NOTHING;
--> statement-breakpoint
CREATE TRIGGER destinations_version_insert AFTER INSERT ON destinations BEGIN
  INSERT INTO destinations_version (id, version) VALUES (1, abs(random() % 9007199254740991)) ON CONFLICT DO UPDATE SET version = excluded.version;
END;
--> statement-breakpoint
CREATE TRIGGER destinations_version_delete AFTER DELETE ON destinations BEGIN
  INSERT INTO destinations_version (id, version) VALUES (1, abs(random() % 9007199254740991)) ON CONFLICT DO UPDATE SET version = excluded.version;
END;
--> statement-breakpoint
CREATE TRIGGER destinations_version_update AFTER UPDATE ON destinations
WHEN old.filter IS NOT new.filter OR old.source_ids IS NOT new.source_ids OR old.enabled IS NOT new.enabled
BEGIN
  INSERT INTO destinations_version (id, version) VALUES (1, abs(random() % 9007199254740991)) ON CONFLICT DO UPDATE SET version = excluded.version;
END;
