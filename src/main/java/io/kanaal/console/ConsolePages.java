package io.kanaal.console;

import io.kanaal.api.InvalidRequestException;
import jakarta.servlet.http.HttpServletResponse;
import java.util.List;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.ControllerAdvice;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestMapping;

/** Sign-in, the page a viewer sees when they try what only an operator may, and the console's error page. */
@Controller
@ControllerAdvice(basePackageClasses = ConsolePages.class)
public class ConsolePages {

    @GetMapping("/console/login")
    public String login() {
        return "console/login";
    }

    /** Spring Security forwards here the request it refused, whatever its method (a POST of a replay). */
    @RequestMapping("/console/denied")
    public String denied(HttpServletResponse response) {
        response.setStatus(403);
        return "console/denied";
    }

    /** A request the console cannot answer: unknown order, bad page key or date; the page says why. */
    @ExceptionHandler({InvalidRequestException.class, IllegalArgumentException.class})
    public String problem(RuntimeException e, HttpServletResponse response, Model model) {
        int status = e instanceof InvalidRequestException invalid ? invalid.status() : 400;
        response.setStatus(status);
        model.addAttribute("status", status);
        model.addAttribute("title", e instanceof InvalidRequestException invalid ? invalid.getMessage() : "Bad request");
        model.addAttribute("details", e instanceof InvalidRequestException invalid ? invalid.errors() : List.of(e.getMessage()));
        return "console/problem";
    }
}
