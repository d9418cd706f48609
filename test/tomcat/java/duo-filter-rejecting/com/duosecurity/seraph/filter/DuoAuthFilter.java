package com.duosecurity.seraph.filter;

import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.FilterConfig;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import java.io.IOException;

/**
 * Test stand-in for a Duo filter that refuses the configuration it is given, whatever it is (as the real
 * one does when, say, its keys belong to another application type). Tomcat then fails to start the whole
 * webapp: what `install --restart` must detect and undo.
 */
public class DuoAuthFilter implements Filter {
    @Override
    public void init(FilterConfig config) throws ServletException {
        throw new ServletException("DuoAuthFilter: rejecting the configuration for ikey " + config.getInitParameter("ikey")
                + " (test stand-in that rejects every configuration)");
    }

    @Override
    public void doFilter(ServletRequest req, ServletResponse resp, FilterChain chain) throws IOException, ServletException {
        chain.doFilter(req, resp);
    }
}
