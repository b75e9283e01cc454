package com.wagateway.web;

import java.io.IOException;
import java.time.Duration;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.io.Resource;
import org.springframework.http.CacheControl;
import org.springframework.web.servlet.config.annotation.ResourceHandlerRegistry;
import org.springframework.web.servlet.config.annotation.ViewControllerRegistry;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;
import org.springframework.web.servlet.resource.PathResourceResolver;

/**
 * Serves the dashboard (built by Vite into {@code classpath:/static/dashboard/}) at
 * {@code /dashboard/}. Client-side routes ({@code /dashboard/connections/x}) get
 * {@code index.html} so a reload or a shared link works; a missing file with an extension
 * (an old asset) stays a 404. Hashed assets are cached for a year, {@code index.html} never.
 */
@Configuration(proxyBeanMethods = false)
public class DashboardWebConfig implements WebMvcConfigurer {

    static final String LOCATION = "classpath:/static/dashboard/";

    @Override
    public void addViewControllers(ViewControllerRegistry registry) {
        registry.addRedirectViewController("/", "/dashboard/");
        registry.addRedirectViewController("/dashboard", "/dashboard/");
        // the resource handler refuses an empty path, so the root itself is forwarded
        registry.addViewController("/dashboard/").setViewName("forward:/dashboard/index.html");
    }

    @Override
    public void addResourceHandlers(ResourceHandlerRegistry registry) {
        registry.addResourceHandler("/dashboard/assets/**")
                .addResourceLocations(LOCATION + "assets/")
                .setCacheControl(CacheControl.maxAge(Duration.ofDays(365)).cachePublic().immutable());
        registry.addResourceHandler("/dashboard/**")
                .addResourceLocations(LOCATION)
                .setCacheControl(CacheControl.noCache())
                .resourceChain(false)
                .addResolver(new SpaFallbackResolver());
    }

    /** The file if it exists, else {@code index.html} for paths that look like client routes. */
    static final class SpaFallbackResolver extends PathResourceResolver {
        @Override
        protected Resource getResource(String path, Resource location) throws IOException {
            Resource file = location.createRelative(path);
            if (!path.isEmpty() && file.exists() && file.isReadable() && !path.endsWith("/")) {
                return file;
            }
            String last = path.substring(path.lastIndexOf('/') + 1);
            if (last.contains(".")) {
                return null;
            }
            Resource index = location.createRelative("index.html");
            return index.exists() && index.isReadable() ? index : null;
        }
    }
}
