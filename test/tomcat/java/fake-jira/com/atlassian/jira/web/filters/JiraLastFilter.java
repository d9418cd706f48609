package com.atlassian.jira.web.filters;

public class JiraLastFilter extends com.atlassian.fakejira.PassThroughFilter {}
