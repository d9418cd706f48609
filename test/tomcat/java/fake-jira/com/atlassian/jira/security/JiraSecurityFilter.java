package com.atlassian.jira.security;

import com.atlassian.fakejira.Chain;
import com.atlassian.fakejira.PassThroughFilter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import java.io.IOException;

/** Stand-in for Jira's Seraph security filter: records "security" in the asserted chain. */
public class JiraSecurityFilter extends PassThroughFilter {
    @Override
    public void doFilter(ServletRequest req, ServletResponse resp, FilterChain chain) throws IOException, ServletException {
        Chain.get(req, Chain.CHAIN).add("security");
        super.doFilter(req, resp, chain);
    }
}
