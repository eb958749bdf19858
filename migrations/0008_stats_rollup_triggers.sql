-- Rollups from the calls, pushes and deliveries already stored, then triggers that keep them in the same
-- transaction as every later write. No DELETE triggers: retention removes rows, never counts.
INSERT INTO call_rollups (hour, source_id, intent_code, intent, call_status_new, call_description, calls, connected)
SELECT coalesce(call_time, submit_time, received_at) / 3600000, source_id, ifnull(intent_code, ''), ifnull(intent, ''),
  ifnull(call_status_new, -1), ifnull(call_description, -1), count(*), sum(connected)
FROM calls GROUP BY 1, 2, 3, 4, 5, 6;
--> statement-breakpoint
INSERT INTO task_rollups (hour, source_id, task_id, calls, connected)
SELECT coalesce(call_time, submit_time, received_at) / 3600000, source_id, ifnull(task_id, -1), count(*), sum(connected)
FROM calls GROUP BY 1, 2, 3;
--> statement-breakpoint
INSERT INTO push_rollups (hour, source_id, pushes, records, rejected)
SELECT received_at / 3600000, source_id, count(*), sum(records), sum(rejected_count) FROM pushes GROUP BY 1, 2;
--> statement-breakpoint
INSERT INTO delivery_rollups (hour, destination_id, source_id, status, count)
SELECT created_at / 3600000, destination_id, source_id, status, count(*) FROM deliveries GROUP BY 1, 2, 3, 4;
--> statement-breakpoint
CREATE TRIGGER call_rollups_insert AFTER INSERT ON calls BEGIN
  INSERT INTO call_rollups (hour, source_id, intent_code, intent, call_status_new, call_description, calls, connected)
  VALUES (coalesce(new.call_time, new.submit_time, new.received_at) / 3600000, new.source_id, ifnull(new.intent_code, ''), ifnull(new.intent, ''), ifnull(new.call_status_new, -1),
    ifnull(new.call_description, -1), 1, new.connected)
  ON CONFLICT DO UPDATE SET calls = calls + 1, connected = connected + excluded.connected;
  INSERT INTO task_rollups (hour, source_id, task_id, calls, connected)
  VALUES (coalesce(new.call_time, new.submit_time, new.received_at) / 3600000, new.source_id, ifnull(new.task_id, -1), 1, new.connected)
  ON CONFLICT DO UPDATE SET calls = calls + 1, connected = connected + excluded.connected;
END;
--> statement-breakpoint
CREATE TRIGGER call_rollups_update AFTER UPDATE ON calls
WHEN coalesce(old.call_time, old.submit_time, old.received_at) / 3600000 IS NOT coalesce(new.call_time, new.submit_time, new.received_at) / 3600000
  OR old.source_id IS NOT new.source_id OR old.intent_code IS NOT new.intent_code OR old.intent IS NOT new.intent
  OR old.call_status_new IS NOT new.call_status_new OR old.call_description IS NOT new.call_description
  OR old.connected IS NOT new.connected
BEGIN
  UPDATE call_rollups SET calls = calls - 1, connected = connected - old.connected
  WHERE hour = coalesce(old.call_time, old.submit_time, old.received_at) / 3600000 AND source_id = old.source_id
    AND intent_code = ifnull(old.intent_code, '') AND intent = ifnull(old.intent, '')
    AND call_status_new = ifnull(old.call_status_new, -1) AND call_description = ifnull(old.call_description, -1);
  INSERT INTO call_rollups (hour, source_id, intent_code, intent, call_status_new, call_description, calls, connected)
  VALUES (coalesce(new.call_time, new.submit_time, new.received_at) / 3600000, new.source_id, ifnull(new.intent_code, ''), ifnull(new.intent, ''), ifnull(new.call_status_new, -1),
    ifnull(new.call_description, -1), 1, new.connected)
  ON CONFLICT DO UPDATE SET calls = calls + 1, connected = connected + excluded.connected;
END;
--> statement-breakpoint
CREATE TRIGGER task_rollups_update AFTER UPDATE ON calls
WHEN coalesce(old.call_time, old.submit_time, old.received_at) / 3600000 IS NOT coalesce(new.call_time, new.submit_time, new.received_at) / 3600000
  OR old.source_id IS NOT new.source_id OR old.task_id IS NOT new.task_id OR old.connected IS NOT new.connected
BEGIN
  UPDATE task_rollups SET calls = calls - 1, connected = connected - old.connected
  WHERE hour = coalesce(old.call_time, old.submit_time, old.received_at) / 3600000 AND source_id = old.source_id AND task_id = ifnull(old.task_id, -1);
  INSERT INTO task_rollups (hour, source_id, task_id, calls, connected)
  VALUES (coalesce(new.call_time, new.submit_time, new.received_at) / 3600000, new.source_id, ifnull(new.task_id, -1), 1, new.connected)
  ON CONFLICT DO UPDATE SET calls = calls + 1, connected = connected + excluded.connected;
END;
--> statement-breakpoint
CREATE TRIGGER push_rollups_insert AFTER INSERT ON pushes BEGIN
  INSERT INTO push_rollups (hour, source_id, pushes, records, rejected)
  VALUES (new.received_at / 3600000, new.source_id, 1, new.records, new.rejected_count)
  ON CONFLICT DO UPDATE SET pushes = pushes + 1, records = records + excluded.records, rejected = rejected + excluded.rejected;
END;
--> statement-breakpoint
CREATE TRIGGER push_rollups_update AFTER UPDATE ON pushes
WHEN old.received_at / 3600000 IS NOT new.received_at / 3600000 OR old.source_id IS NOT new.source_id
  OR old.records IS NOT new.records OR old.rejected_count IS NOT new.rejected_count
BEGIN
  UPDATE push_rollups SET pushes = pushes - 1, records = records - old.records, rejected = rejected - old.rejected_count
  WHERE hour = old.received_at / 3600000 AND source_id = old.source_id;
  INSERT INTO push_rollups (hour, source_id, pushes, records, rejected)
  VALUES (new.received_at / 3600000, new.source_id, 1, new.records, new.rejected_count)
  ON CONFLICT DO UPDATE SET pushes = pushes + 1, records = records + excluded.records, rejected = rejected + excluded.rejected;
END;
--> statement-breakpoint
CREATE TRIGGER delivery_rollups_insert AFTER INSERT ON deliveries BEGIN
  INSERT INTO delivery_rollups (hour, destination_id, source_id, status, count)
  VALUES (new.created_at / 3600000, new.destination_id, new.source_id, new.status, 1)
  ON CONFLICT DO UPDATE SET count = count + 1;
END;
--> statement-breakpoint
CREATE TRIGGER delivery_rollups_update AFTER UPDATE ON deliveries
WHEN old.status IS NOT new.status OR old.destination_id IS NOT new.destination_id OR old.source_id IS NOT new.source_id
  OR old.created_at / 3600000 IS NOT new.created_at / 3600000
BEGIN
  UPDATE delivery_rollups SET count = count - 1
  WHERE hour = old.created_at / 3600000 AND destination_id = old.destination_id AND source_id = old.source_id
    AND status = old.status;
  INSERT INTO delivery_rollups (hour, destination_id, source_id, status, count)
  VALUES (new.created_at / 3600000, new.destination_id, new.source_id, new.status, 1)
  ON CONFLICT DO UPDATE SET count = count + 1;
END;
