package com.atlassian.plugin.servlet.filter;

/** Stand-in for Atlassian's plugin filter dispatcher (configured by init-params in web.xml). */
public class ServletFilterModuleContainerFilter extends com.atlassian.fakejira.PassThroughFilter {}
