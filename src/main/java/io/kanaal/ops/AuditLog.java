package io.kanaal.ops;

import java.util.List;
import java.util.Map;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.stereotype.Component;

/**
 * What ops did to dead letters (table {@code audit_log}): who (the signed-in console user, or {@code key:<name>} for
 * an ops API key), when, what (replay, discard), which queue and message (none: all of them), how many moved.
 * Who comes from the request's security context, never from what the request says about itself.
 */
@Component
public class AuditLog {

    private final JdbcTemplate jdbc;

    public AuditLog(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    public void record(String action, String queue, String messageId, int count) {
        Authentication who = SecurityContextHolder.getContext().getAuthentication();
        String actor = who == null || !who.isAuthenticated() ? "unknown" : who.getName();
        jdbc.update("INSERT INTO audit_log (actor, action, queue, message_id, count) VALUES (?, ?, ?, ?, ?)",
                actor, action, queue, messageId == null || messageId.isBlank() ? null : messageId, count);
    }

    /** The newest entries first. */
    public List<Map<String, Object>> newest(int limit) {
        return jdbc.queryForList("SELECT at, actor, action, queue, message_id, count FROM audit_log ORDER BY at DESC, id DESC LIMIT ?",
                limit);
    }
}
