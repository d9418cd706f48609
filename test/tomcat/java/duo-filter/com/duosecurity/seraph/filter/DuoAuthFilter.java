package com.duosecurity.seraph.filter;

import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.FilterConfig;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Test stand-in for Duo's legacy Seraph filter (duo_jira, Web SDK v2). Like the real one it refuses to
 * initialise with malformed keys, which makes Tomcat fail to start the whole webapp; unlike the real one
 * it lets every request through and reports what it was configured with (never the skey).
 */
public class DuoAuthFilter implements Filter {
    private String ikey;
    private String host;
    private String params;

    @Override
    public void init(FilterConfig config) throws ServletException {
        ikey = config.getInitParameter("ikey");
        String skey = config.getInitParameter("skey");
        String akey = config.getInitParameter("akey");
        host = config.getInitParameter("host");
        if (ikey == null || ikey.length() != 20) throw new ServletException("DuoAuthFilter: ikey must be 20 characters");
        if (skey == null || skey.length() != 40) throw new ServletException("DuoAuthFilter: skey must be 40 characters");
        if (akey == null || akey.length() < 40) throw new ServletException("DuoAuthFilter: akey must be at least 40 characters");
        if (host == null || host.trim().isEmpty()) throw new ServletException("DuoAuthFilter: host must not be empty");
        List<String> names = Collections.list(config.getInitParameterNames());
        Collections.sort(names);
        params = String.join(",", names);
    }

    @Override
    public void doFilter(ServletRequest req, ServletResponse resp, FilterChain chain) throws IOException, ServletException {
        record(req, "fakejira.chain");
        record(req, "fakejira.all");
        req.setAttribute("fakejira.duo.ikey", ikey);
        req.setAttribute("fakejira.duo.host", host);
        req.setAttribute("fakejira.duo.params", params);
        chain.doFilter(req, resp);
    }

    @SuppressWarnings("unchecked")
    private static void record(ServletRequest req, String key) {
        Object v = req.getAttribute(key);
        List<String> l;
        if (v instanceof List) {
            l = (List<String>) v;
        } else {
            l = new ArrayList<>();
            req.setAttribute(key, l);
        }
        l.add("duoauth");
    }
}
