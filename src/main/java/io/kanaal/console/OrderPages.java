package io.kanaal.console;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.kanaal.channel.Channels;
import io.kanaal.order.OrderJourney;
import io.kanaal.order.Orders;
import java.time.LocalDate;
import java.util.List;
import org.springframework.format.annotation.DateTimeFormat;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestParam;

/** The console's orders: the list of every channel's orders, and one order with its reservations and journey. */
@Controller
public class OrderPages {

    static final List<String> STATUSES = List.of("open", "paid", "shipped", "cancelled");

    private final OrderList list;
    private final Orders orders;
    private final OrderJourney journey;
    private final Channels channels;

    public OrderPages(OrderList list, Orders orders, OrderJourney journey, Channels channels) {
        this.list = list;
        this.orders = orders;
        this.journey = journey;
        this.channels = channels;
    }

    @GetMapping("/console/orders")
    public String list(@RequestParam(required = false) String channel, @RequestParam(required = false) String status,
                       @RequestParam(required = false) @DateTimeFormat(iso = DateTimeFormat.ISO.DATE) LocalDate from,
                       @RequestParam(required = false) @DateTimeFormat(iso = DateTimeFormat.ISO.DATE) LocalDate to,
                       @RequestParam(required = false) String q, @RequestParam(required = false) String after,
                       Model model) {
        OrderList.Filter filter = new OrderList.Filter(channel, status, from, to, q);
        model.addAttribute("filter", filter);
        model.addAttribute("page", list.page(filter, after));
        model.addAttribute("first", after == null || after.isBlank());
        model.addAttribute("channels", channels.all().keySet().stream().sorted().toList());
        model.addAttribute("statuses", STATUSES);
        return "console/orders";
    }

    @GetMapping("/console/orders/{channel}/{order}")
    public String order(@PathVariable String channel, @PathVariable("order") String channelOrderId, Model model)
            throws JsonProcessingException {
        model.addAttribute("overview", orders.overview(channel, channelOrderId));
        model.addAttribute("journey", journey.of(channel, channelOrderId));
        model.addAttribute("channel", channel);
        model.addAttribute("channelOrderId", channelOrderId);
        return "console/order";
    }
}
