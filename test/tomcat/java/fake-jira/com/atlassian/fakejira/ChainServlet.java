package com.atlassian.fakejira;

import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;

/**
 * Answers every other path with what the filter chain did: X-Filter-Chain (security/duoauth, in order),
 * X-All-Filters (every filter), and what the Duo filter was configured with (never the secret key).
 */
public class ChainServlet extends HttpServlet {
    @Override
    protected void service(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        String chain = String.join(",", Chain.get(req, Chain.CHAIN));
        String all = String.join(",", Chain.get(req, Chain.ALL));
        resp.setHeader("X-Filter-Chain", chain);
        resp.setHeader("X-All-Filters", all);
        StringBuilder json = new StringBuilder("{\"chain\":\"").append(chain).append("\",\"all\":\"").append(all).append('"');
        for (String[] h : new String[][] {{"fakejira.duo.ikey", "X-Duo-Ikey", "ikey"}, {"fakejira.duo.host", "X-Duo-Host", "host"}, {"fakejira.duo.params", "X-Duo-Init-Params", "params"}}) {
            Object v = req.getAttribute(h[0]);
            if (v != null) {
                resp.setHeader(h[1], v.toString());
                json.append(",\"").append(h[2]).append("\":\"").append(v.toString().replace("\\", "\\\\").replace("\"", "\\\"")).append('"');
            }
        }
        resp.setContentType("application/json");
        resp.setCharacterEncoding("UTF-8");
        resp.getWriter().write(json.append('}').toString());
    }
}
