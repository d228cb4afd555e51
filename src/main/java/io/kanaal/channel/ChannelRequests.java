package io.kanaal.channel;

import java.nio.charset.StandardCharsets;
import java.util.Set;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.Variable;
import org.springframework.stereotype.Component;
import org.springframework.web.util.UriUtils;

/**
 * Prepares a message for a call to a channel (or to the ERP): none of the headers it brought along (JMS
 * properties, the last answer's headers) reach the remote side. Kept: the request's own
 * {@code CamelHttpPath}, {@code CamelHttpMethod} and {@code CamelHttpQuery}, and the redelivery bookkeeping
 * ({@code CamelRedelivery*}) that the dead-letter annotation reads. The same as {@code removeHeaders} with an
 * {@code excludePattern}, which in Camel 4.17 compiles that pattern again for every header of every message.
 */
@Component("channelRequests")
public class ChannelRequests {

    private static final Set<String> REQUEST = Set.of("CamelHttpPath", "CamelHttpMethod", "CamelHttpQuery");

    private final Channels channels;

    public ChannelRequests(Channels channels) {
        this.channels = channels;
    }

    /**
     * Only the request's own headers stay; and the charset an earlier answer in the same exchange left behind
     * (exchange property CamelCharsetName) is dropped, so that every request names its media type as the channel
     * documents it, not with that answer's charset appended.
     */
    public void keepRequestHeaders(Message message) {
        message.getHeaders().keySet().removeIf(name -> !REQUEST.contains(name) && !name.startsWith("CamelRedelivery"));
        message.getExchange().removeProperty(Exchange.CHARSET_NAME);
    }

    /** Only the redelivery bookkeeping stays (a call that sets its own path and method). */
    public void keepRedeliveryHeaders(Message message) {
        message.getHeaders().keySet().removeIf(name -> !name.startsWith("CamelRedelivery"));
    }

    /**
     * A value from a channel (an order id) as one path segment, URL-encoded: {@code /}, {@code ?}, {@code #} or
     * {@code ..} in it cannot move the call to another resource of the channel.
     */
    public String pathSegment(String value) {
        return value == null ? "" : UriUtils.encodePathSegment(value, StandardCharsets.UTF_8);
    }

    /** A path of the route's own text and one id from a channel as its last segment ({@link #pathSegment}). */
    public String path(String prefix, Object id) {
        return prefix + pathSegment(id == null ? null : id.toString());
    }

    /**
     * The headers the channel's configuration adds to every call ({@code kanaal.channels.<id>.headers}); one
     * left empty (an unset environment variable) is not sent. The channel's {@code settings.authorization} is the
     * Authorization header, unless one is set already (an OAuth2 login's token). Read here, when the call is made,
     * so that no secret is written into a route's expressions (route dumps, the camelroutes endpoint).
     */
    public void addChannelHeaders(@Variable("channel") String channel, Message message) {
        ChannelProperties properties = channels.get(channel);
        String authorization = properties.settings().get("authorization");
        if (authorization != null && !authorization.isBlank() && message.getHeader("Authorization") == null) {
            message.setHeader("Authorization", authorization);
        }
        properties.headers().forEach((name, value) -> {
            if (value != null && !value.isBlank()) {
                message.setHeader(name, value);
            }
        });
    }
}
