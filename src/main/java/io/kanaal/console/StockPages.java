package io.kanaal.console;

import io.kanaal.product.ChannelProducts;
import io.kanaal.stock.ChannelStock;
import io.kanaal.stock.Reservations;
import java.util.List;
import java.util.Map;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;

/**
 * The console's stock and products: a SKU's ERP level, reservations and per channel the quantity wanted and
 * delivered; per channel its products by status and the rejects with their reasons, and one product per channel.
 */
@Controller
public class StockPages {

    private final Reservations reservations;
    private final ChannelStock channelStock;
    private final ChannelProducts channelProducts;

    public StockPages(Reservations reservations, ChannelStock channelStock, ChannelProducts channelProducts) {
        this.reservations = reservations;
        this.channelStock = channelStock;
        this.channelProducts = channelProducts;
    }

    @GetMapping("/console/stock")
    public String stock(@RequestParam(required = false) String sku, Model model) {
        if (sku != null && !sku.isBlank()) {
            model.addAttribute("sku", sku.strip());
            model.addAttribute("ledger", reservations.ledger(sku.strip()));
            model.addAttribute("channels", channelStock.status(sku.strip()));
        }
        return "console/stock";
    }

    @GetMapping("/console/products")
    public String products(@RequestParam(required = false) String sku, @RequestParam(required = false) String channel,
                           Model model) {
        List<String> productChannels = channelProducts.channels();
        model.addAttribute("progress", productChannels.stream().map(channelProducts::progress).toList());
        if (channel != null && !channel.isBlank()) {
            model.addAttribute("channel", channel);
            model.addAttribute("rejects", channelProducts.rejects(channel, "100"));
        }
        if (sku != null && !sku.isBlank()) {
            Map<String, Object> product = channelProducts.overview(sku.strip());
            model.addAttribute("product", product);
        }
        return "console/products";
    }
}
