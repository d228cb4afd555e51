-- Sources of type file: how many files each one read (moved to its done folder) and refused whole (moved to its
-- error folder, unreadable); source_state.watermark holds the name of the last file read.
ALTER TABLE source_state ADD COLUMN files BIGINT NOT NULL DEFAULT 0;
ALTER TABLE source_state ADD COLUMN files_refused BIGINT NOT NULL DEFAULT 0;
