package io.kanaal.console;

import io.kanaal.ops.AuditLog;
import io.kanaal.ops.DeadLetters;
import java.util.List;
import java.util.Map;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;

/**
 * The console's dead letters: every dead-letter queue with its count, a queue's messages with reason, attempts and
 * time, one message; replay one, a selection or all; discard them after a confirmation. Both are an operator's
 * ({@link ConsoleSecurity}) and go to the audit log ({@link DeadLetters} writes it, as for the ops API).
 */
@Controller
public class DeadLetterPages {

    private static final String SHOWN = "500";

    private final DeadLetters deadLetters;
    private final AuditLog audit;

    public DeadLetterPages(DeadLetters deadLetters, AuditLog audit) {
        this.deadLetters = deadLetters;
        this.audit = audit;
    }

    @GetMapping("/console/dead-letters")
    public String queues(Model model) {
        model.addAttribute("queues", deadLetters.list());
        model.addAttribute("audit", audit.newest(20));
        return "console/dead-letters";
    }

    @GetMapping("/console/dead-letters/{queue}")
    public String queue(@PathVariable String queue, Model model) {
        model.addAttribute("queue", queue);
        model.addAttribute("messages", deadLetters.browse(queue, SHOWN));
        return "console/dead-letter-queue";
    }

    @GetMapping("/console/dead-letters/{queue}/message")
    public String message(@PathVariable String queue, @RequestParam String id, Model model) {
        Map<String, Object> message = deadLetters.browse(queue, SHOWN).stream().filter(m -> id.equals(m.get("messageId")))
                .findFirst().orElseThrow(() -> new io.kanaal.api.InvalidRequestException(404, "No such dead letter",
                        List.of("no message " + id + " in " + queue + " (replayed or discarded?)")));
        model.addAttribute("queue", queue);
        model.addAttribute("message", message);
        return "console/dead-letter";
    }

    /** Replays the selected messages ({@code id}, one or more), or all of them ({@code all}). */
    @PostMapping("/console/dead-letters/{queue}/replay")
    public String replay(@PathVariable String queue, @RequestParam(name = "id", required = false) List<String> ids,
                         @RequestParam(required = false) String all, RedirectAttributes redirect) {
        int moved = each(queue, ids, all, true);
        redirect.addFlashAttribute("done", "Replayed " + moved + " message" + (moved == 1 ? "" : "s") + " of " + queue);
        return "redirect:/console/dead-letters/" + queue;
    }

    /**
     * Discards the selected messages or all of them, once confirmed: without {@code confirmed=yes} the page asks
     * first, naming what would be deleted.
     */
    @PostMapping("/console/dead-letters/{queue}/discard")
    public String discard(@PathVariable String queue, @RequestParam(name = "id", required = false) List<String> ids,
                          @RequestParam(required = false) String all, @RequestParam(required = false) String confirmed,
                          Model model, RedirectAttributes redirect) {
        if (!"yes".equals(confirmed)) {
            model.addAttribute("queue", queue);
            model.addAttribute("ids", ids == null ? List.of() : ids);
            model.addAttribute("all", all != null);
            return "console/dead-letter-discard";
        }
        int moved = each(queue, ids, all, false);
        redirect.addFlashAttribute("done", "Discarded " + moved + " message" + (moved == 1 ? "" : "s") + " of " + queue);
        return "redirect:/console/dead-letters/" + queue;
    }

    private int each(String queue, List<String> ids, String all, boolean replay) {
        if (all != null) {
            Map<String, Object> result = replay ? deadLetters.replay(queue, null) : deadLetters.discard(queue, null);
            return ((Number) result.get(replay ? "replayed" : "discarded")).intValue();
        }
        if (ids == null || ids.isEmpty()) {
            throw new IllegalArgumentException("Select the messages first, or choose all of them");
        }
        int moved = 0;
        for (String id : ids) {
            Map<String, Object> result = replay ? deadLetters.replay(queue, id) : deadLetters.discard(queue, id);
            moved += ((Number) result.get(replay ? "replayed" : "discarded")).intValue();
        }
        return moved;
    }
}
