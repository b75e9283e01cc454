package com.wagateway.media;

import com.wagateway.config.GatewayProperties;
import java.io.IOException;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The gateway's one {@link MediaStore}: {@code DATA_DIR/media} on the local disk. */
@Configuration(proxyBeanMethods = false)
public class MediaConfig {

    @Bean
    MediaStore mediaStore(GatewayProperties props) throws IOException {
        return new LocalMediaStore(props.mediaPath());
    }
}
