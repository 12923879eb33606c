import { startApp } from './ui/app.js'
import './ui/style.css'

// The editor: everything is bundled by Vite, no CDN, no web fonts, no external basemap by default.
void startApp()
